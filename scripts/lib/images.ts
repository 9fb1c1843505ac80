/**
 * Identifies and measures the image files of an articles folder from their bytes, with
 * image-size (a maintained parser of image headers), never from their names.
 */
import { createHash } from "node:crypto";
import { imageSize } from "image-size";
import { IMAGE_TYPES, type LocalImage, mediaPath } from "../../src/compile/images";

/** image-size's names of the types published. */
const TYPES: Record<string, string> = { jpg: "image/jpeg", png: "image/png", webp: "image/webp", avif: "image/avif", gif: "image/gif" };

/** What a file that is not an article is: a published image, or a phrase saying what else. */
export function identifyImage(path: string, bytes: Uint8Array): LocalImage | string {
  let size: ReturnType<typeof imageSize>;
  try {
    size = imageSize(bytes);
  } catch {
    return "not an image";
  }
  const type = TYPES[size.type ?? ""];
  if (type === undefined) return size.type === "svg" ? "an SVG image (it can carry script)" : `a ${size.type?.toUpperCase() ?? "different"} image`;
  if (!(type in IMAGE_TYPES) || !size.width || !size.height) return "not an image";
  const hash = createHash("sha256").update(bytes).digest("hex");
  // An image's width and height are as shown: EXIF orientations 5 to 8 turn it a quarter.
  const turned = (size.orientation ?? 1) >= 5;
  return {
    path,
    type,
    width: turned ? size.height : size.width,
    height: turned ? size.width : size.height,
    length: bytes.byteLength,
    src: mediaPath(hash, type),
  };
}
