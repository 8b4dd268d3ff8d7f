import UAParser from "ua-parser-js";

export type DeviceInfo = { device: string; browser: string; os: string; engine: string };

const capitalise = (value: string) => value.charAt(0).toUpperCase() + value.slice(1);

export function parseUserAgent(userAgent: string): DeviceInfo {
  const result = new UAParser(userAgent).getResult();
  return {
    device: result.device.type ? capitalise(result.device.type) : "Desktop",
    browser: result.browser.name ?? "Unknown",
    os: result.os.name ?? "Unknown",
    engine: result.engine.name ?? "Unknown",
  };
}
