import { Mix } from "mix-typescript-sdk";

const mix = new Mix();

const health = await mix.system.healthCheck();
const commands = await mix.system.listCommands();
console.log(health, commands);
