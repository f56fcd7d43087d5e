// A minimal Protocol Buffers writer for the ONNX export (onnx.ts): varints, fixed-width
// little-endian data and length-delimited fields. Hand-written so exporting needs no
// dependency; it writes only what ONNX's ModelProto needs (no reader, no groups, no maps).

const WIRE_VARINT = 0;
const WIRE_LENGTH = 2;
const WIRE_FIXED32 = 5;

const utf8 = new TextEncoder();

/** Builds one message; nested messages are built separately and added as bytes. */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private size = 0;

  /** An unsigned or signed integer (int32/int64/enum/bool). Negative values take 10 bytes, as protobuf requires. */
  varint(field: number, value: number | bigint | boolean): this {
    this.tag(field, WIRE_VARINT);
    this.rawVarint(typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value));
    return this;
  }

  /** A 32-bit float (AttributeProto.f). */
  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  /** Length-delimited bytes: strings (UTF-8), raw tensor data, packed arrays, nested messages. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LENGTH);
    this.rawVarint(BigInt(value.length));
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  message(field: number, message: ProtoWriter): this {
    return this.bytes(field, message.finish());
  }

  /** The encoded message. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private tag(field: number, wire: number): void {
    this.rawVarint(BigInt(field) << 3n | BigInt(wire));
  }

  private rawVarint(value: bigint): void {
    // Negative numbers are encoded as their 64-bit two's complement.
    let v = BigInt.asUintN(64, value);
    const bytes: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      bytes.push(byte);
    } while (v !== 0n);
    this.push(Uint8Array.from(bytes));
  }

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }
}

/** A protobuf varint decoded from `bytes` at `offset` (for tests): the value and the next offset. */
export function readVarint(bytes: Uint8Array, offset: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  for (let i = offset; i < bytes.length; i++) {
    value |= BigInt(bytes[i]! & 0x7f) << shift;
    shift += 7n;
    if ((bytes[i]! & 0x80) === 0) return { value, next: i + 1 };
  }
  throw new Error('protobuf: truncated varint');
}
