export * from "./isolated_device.ts";
