import { Mix } from "mix-typescript-sdk";

const mix = new Mix();

const { preferences } = await mix.preferences.get();
console.log(preferences);
