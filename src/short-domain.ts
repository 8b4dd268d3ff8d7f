import { type Config, ConfigError, withShortDomain } from "./config.js";
import type { SettingsStore } from "./domain/settings.js";

/**
 * The default short domain is fixed when an install first starts: `SHORT_DOMAIN`, or `localhost:<PORT>`.
 * Links created without a domain carry it, so a later change of PORT must not move it; a different
 * SHORT_DOMAIN is refused until `clicktrail short-domain set` changes it on purpose.
 */
export async function settleShortDomain(config: Config, settings: SettingsStore): Promise<Config> {
  const kept = await settings.keepShortDomain(config.shortDomain);
  if (kept === config.shortDomain) return config;
  if (config.shortDomainFromEnv) {
    throw new ConfigError([
      `SHORT_DOMAIN=${JSON.stringify(config.shortDomain)}: this install's short domain is ${kept}, and links without a domain of their own live on it. To change it, run \`clicktrail short-domain set ${config.shortDomain}\` (existing links keep ${kept} and keep redirecting there); or unset SHORT_DOMAIN.`,
    ]);
  }
  return withShortDomain(config, kept);
}
