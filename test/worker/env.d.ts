declare module "*?raw" {
  const text: string;
  export default text;
}

declare namespace Cloudflare {
  interface Env {
    DB: D1Database;
    MEDIA: R2Bucket;
    HUB: DurableObjectNamespace<import("../../src/websub/hub-object").WebSubHub>;
    HUB_COURIER: DurableObjectNamespace<import("../../src/websub/courier-object").WebSubCourier>;
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
}
