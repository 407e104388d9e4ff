import { Mix } from "mix-typescript-sdk";

const mix = new Mix();

const health = await mix.health.getOAuthHealth();
console.log(health.status, health.timestamp instanceof Date);
