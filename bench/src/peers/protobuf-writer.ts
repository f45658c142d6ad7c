/**
 * The protobuf wire format, just enough to write ONNX models: varints (wire type 0), fixed 32-bit
 * (wire type 5) and length-delimited fields (wire type 2: strings, bytes, packed arrays, messages).
 * Field order does not matter to a protobuf reader; fields are written in call order.
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

const textEncoder = new TextEncoder();

/** Appends `value` as a base-128 varint; negative int64 values take ten bytes (two's complement), as protobuf specifies. */
function pushVarint(out: number[], value: number | bigint): void {
  let v = BigInt.asUintN(64, BigInt(value));
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
}

export class ProtoWriter {
  private readonly bytes: number[] = [];

  private key(field: number, wireType: number): void {
    pushVarint(this.bytes, (field << 3) | wireType);
  }

  private lengthDelimited(field: number, payload: Uint8Array): this {
    this.key(field, WIRE_LENGTH_DELIMITED);
    pushVarint(this.bytes, payload.length);
    for (let i = 0; i < payload.length; i++) this.bytes.push(payload[i]);
    return this;
  }

  /** int32 / int64 / enum / bool field. */
  varint(field: number, value: number | bigint): this {
    this.key(field, WIRE_VARINT);
    pushVarint(this.bytes, value);
    return this;
  }

  /** `float` field (IEEE-754 single, little-endian). */
  float(field: number, value: number): this {
    this.key(field, WIRE_FIXED32);
    const buf = new DataView(new ArrayBuffer(4));
    buf.setFloat32(0, value, true);
    for (let i = 0; i < 4; i++) this.bytes.push(buf.getUint8(i));
    return this;
  }

  string(field: number, value: string): this {
    return this.lengthDelimited(field, textEncoder.encode(value));
  }

  bytesField(field: number, value: Uint8Array): this {
    return this.lengthDelimited(field, value);
  }

  /** An embedded message, already encoded. */
  message(field: number, encoded: Uint8Array): this {
    return this.lengthDelimited(field, encoded);
  }

  /** `repeated int64` in packed encoding. */
  packedVarints(field: number, values: readonly (number | bigint)[]): this {
    const payload: number[] = [];
    for (const v of values) pushVarint(payload, v);
    return this.lengthDelimited(field, Uint8Array.from(payload));
  }

  /** `repeated float` in packed encoding. */
  packedFloats(field: number, values: readonly number[]): this {
    const view = new DataView(new ArrayBuffer(values.length * 4));
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    return this.lengthDelimited(field, new Uint8Array(view.buffer));
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}
