// A device plugin written against an API version this core does not implement.
export default { kind: "device", apiVersion: 0, name: "old", make() {} };
