/**
 * The fetchers that social networks and messengers send to draw a link's preview card. They read Open Graph and
 * Twitter meta tags and follow no redirect to a page they would show instead, so a link with `proxy` answers them
 * with its own preview. Search engines are not among them: they get the redirect, as visitors do.
 */
const SOCIAL_CRAWLERS = new RegExp(
  [
    "facebookexternalhit",
    "facebookcatalog",
    "Facebot",
    "Twitterbot",
    "LinkedInBot",
    "Slackbot",
    "Slack-ImgProxy",
    "Discordbot",
    "WhatsApp",
    "TelegramBot",
    "Pinterest",
    "redditbot",
    "SkypeUriPreview",
    "MicrosoftPreview",
    "vkShare",
    "Embedly",
    "Iframely",
    "Mastodon",
    "Bluesky",
    "Cardyb",
    "Snapchat",
    "Viber",
    "KakaoTalk-scrap",
    "Google-PageRenderer",
  ].join("|"),
  "i",
);

export const isSocialCrawler = (userAgent: string) => SOCIAL_CRAWLERS.test(userAgent);
