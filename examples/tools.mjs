import { Mix } from "mix-typescript-sdk";

const mix = new Mix();

const { categories } = await mix.tools.getToolsStatus();
console.log(Object.keys(categories ?? {}));
