import UAParser from "ua-parser-js";
import type { DeviceDetector, DeviceInfo } from "../domain/clicks/ports.js";

const capitalise = (value: string) => value.charAt(0).toUpperCase() + value.slice(1);

const CACHE_SIZE = 2_000;
const cache = new Map<string, DeviceInfo>();

/** ua-parser-js, asked once per distinct User-Agent: real traffic repeats a few hundred strings. */
export const uaParserDevices: DeviceDetector = {
  detect(userAgent: string): DeviceInfo {
    let info = cache.get(userAgent);
    if (!info) {
      info = parse(userAgent);
      if (cache.size >= CACHE_SIZE) cache.clear();
      cache.set(userAgent, info);
    }
    return info;
  },
};

function parse(userAgent: string): DeviceInfo {
  const result = new UAParser(userAgent).getResult();
  return {
    device: result.device.type ? capitalise(result.device.type) : "Desktop",
    browser: result.browser.name ?? "Unknown",
    os: result.os.name ?? "Unknown",
    engine: result.engine.name ?? "Unknown",
  };
}
