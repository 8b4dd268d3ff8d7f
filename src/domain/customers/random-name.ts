import { randomInt } from "node:crypto";

const ADJECTIVES = [
  "Big",
  "Brave",
  "Calm",
  "Clever",
  "Eager",
  "Gentle",
  "Happy",
  "Jolly",
  "Kind",
  "Lively",
  "Lucky",
  "Proud",
  "Quick",
  "Quiet",
  "Swift",
  "Witty",
];
const COLOURS = [
  "Amber",
  "Azure",
  "Coral",
  "Crimson",
  "Golden",
  "Green",
  "Indigo",
  "Ivory",
  "Jade",
  "Olive",
  "Orange",
  "Pink",
  "Purple",
  "Red",
  "Silver",
  "Teal",
];
const ANIMALS = [
  "Badger",
  "Beaver",
  "Caribou",
  "Dolphin",
  "Falcon",
  "Fox",
  "Hedgehog",
  "Heron",
  "Koala",
  "Lynx",
  "Otter",
  "Owl",
  "Panda",
  "Puffin",
  "Walrus",
  "Wombat",
];

const pick = (words: string[]) => words[randomInt(words.length)];

/** A friendly display name for a customer who gave neither name nor email, e.g. "Calm Teal Otter". */
export const randomCustomerName = () => `${pick(ADJECTIVES)} ${pick(COLOURS)} ${pick(ANIMALS)}`;
