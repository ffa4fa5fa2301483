export * from "./isolated_device.ts";
export * from "./attach.ts";
export * from "./late_bound_host.ts";
export * from "./process_device.ts";
