/** The data arrays of ONNX Runtime tensors, as the model workers build them. */

/**
 * A zeroed array of `data`'s element type and `size` elements (float16 data comes as Float16Array
 * or Uint16Array, int64 as BigInt64Array).
 */
export function zerosLike<T extends { constructor: unknown }>(data: T, size: number): T {
  return new (data.constructor as new (size: number) => T)(size);
}
