export * from "./isolated_device.ts";
export * from "./attach.ts";
