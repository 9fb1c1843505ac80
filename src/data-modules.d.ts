/** Files the build writes to src/generated/, bundled as Data modules (wrangler.toml [[rules]]): an ArrayBuffer, no JavaScript to parse. */
declare module "*.bin" {
  const data: ArrayBuffer;
  export default data;
}
