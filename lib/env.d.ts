export interface Env {
  MIX_DEBUG?: boolean | undefined;
}
export declare function env(): Env;
export declare function resetEnv(): void;
