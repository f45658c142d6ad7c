import { ProtoWriter } from './protobuf-writer.js';

/**
 * Builds ONNX models in memory (ModelProto bytes) so the onnxruntime-node peer needs no model file
 * and no Python. Field numbers follow onnx/onnx.proto. General enough for any graph of standard ops
 * (a one-node Softmax; the MatMul–Softmax–MatMul attention graphs of attention-onnx.ts).
 */

/** TensorProto.DataType values used here. */
export const OnnxDataType = { FLOAT: 1, INT32: 6, INT64: 7, DOUBLE: 11 } as const;
export type OnnxDataTypeCode = (typeof OnnxDataType)[keyof typeof OnnxDataType];

/** A dimension: a number is a fixed `dim_value`, a string a symbolic `dim_param`. */
export type OnnxDim = number | string;

export interface OnnxValueInfo {
  name: string;
  elemType: OnnxDataTypeCode;
  shape: readonly OnnxDim[];
}

/** A constant tensor of the graph (weights, scales). Stored as raw little-endian bytes. */
export interface OnnxInitializer {
  name: string;
  dims: readonly number[];
  data: Float32Array | Float64Array | Int32Array | BigInt64Array;
}

export type OnnxAttribute =
  | { name: string; kind: 'int'; value: number }
  | { name: string; kind: 'float'; value: number }
  | { name: string; kind: 'string'; value: string }
  | { name: string; kind: 'ints'; value: readonly number[] }
  | { name: string; kind: 'floats'; value: readonly number[] };

export interface OnnxNode {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  domain?: string;
  attributes?: readonly OnnxAttribute[];
}

export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
  initializers?: readonly OnnxInitializer[];
}

export interface OnnxModelOptions {
  /** Default-domain opset version (13 is the first where Softmax normalises over one axis only). */
  opset?: number;
  /** ir_version 8 matches opsets 13–17. */
  irVersion?: number;
  producerName?: string;
  /** Further operator sets, e.g. `{ domain: 'com.microsoft', version: 1 }` for onnxruntime's contrib ops. */
  extraOpsets?: readonly { domain: string; version: number }[];
}

/** AttributeProto.AttributeType values. */
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, floats: 6, ints: 7 } as const;

function encodeDim(dim: OnnxDim): Uint8Array {
  const w = new ProtoWriter();
  // TensorShapeProto.Dimension: dim_value = 1, dim_param = 2.
  return typeof dim === 'number' ? w.varint(1, dim).finish() : w.string(2, dim).finish();
}

export function encodeValueInfo(info: OnnxValueInfo): Uint8Array {
  const shape = new ProtoWriter();
  for (const dim of info.shape) shape.message(1, encodeDim(dim));
  // TypeProto.Tensor: elem_type = 1, shape = 2.
  const tensorType = new ProtoWriter().varint(1, info.elemType).message(2, shape.finish()).finish();
  // TypeProto: tensor_type = 1.
  const type = new ProtoWriter().message(1, tensorType).finish();
  // ValueInfoProto: name = 1, type = 2.
  return new ProtoWriter().string(1, info.name).message(2, type).finish();
}

function dataTypeOf(data: OnnxInitializer['data']): OnnxDataTypeCode {
  if (data instanceof Float32Array) return OnnxDataType.FLOAT;
  if (data instanceof Float64Array) return OnnxDataType.DOUBLE;
  if (data instanceof Int32Array) return OnnxDataType.INT32;
  return OnnxDataType.INT64;
}

/** Little-endian bytes of a typed array, whatever the host's byte order (raw_data is specified little-endian). */
function littleEndianBytes(data: OnnxInitializer['data']): Uint8Array {
  const view = new DataView(new ArrayBuffer(data.byteLength));
  const size = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (data instanceof Float32Array) view.setFloat32(i * size, v as number, true);
    else if (data instanceof Float64Array) view.setFloat64(i * size, v as number, true);
    else if (data instanceof Int32Array) view.setInt32(i * size, v as number, true);
    else view.setBigInt64(i * size, v as bigint, true);
  }
  return new Uint8Array(view.buffer);
}

export function encodeInitializer(init: OnnxInitializer): Uint8Array {
  // TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9.
  return new ProtoWriter()
    .packedVarints(1, init.dims)
    .varint(2, dataTypeOf(init.data))
    .string(8, init.name)
    .bytesField(9, littleEndianBytes(init.data))
    .finish();
}

function encodeAttribute(attr: OnnxAttribute): Uint8Array {
  // AttributeProto: name = 1, f = 2, i = 3, s = 4, floats = 7, ints = 8, type = 20.
  const w = new ProtoWriter().string(1, attr.name);
  switch (attr.kind) {
    case 'float': w.float(2, attr.value); break;
    case 'int': w.varint(3, attr.value); break;
    case 'string': w.string(4, attr.value); break;
    case 'floats': w.packedFloats(7, attr.value); break;
    case 'ints': w.packedVarints(8, attr.value); break;
  }
  return w.varint(20, ATTRIBUTE_TYPE[attr.kind]).finish();
}

export function encodeNode(node: OnnxNode, index: number): Uint8Array {
  // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5, domain = 7.
  const w = new ProtoWriter();
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  w.string(3, node.name ?? `${node.opType.toLowerCase()}_${index}`);
  w.string(4, node.opType);
  for (const attr of node.attributes ?? []) w.message(5, encodeAttribute(attr));
  if (node.domain !== undefined) w.string(7, node.domain);
  return w.finish();
}

export function encodeGraph(graph: OnnxGraph): Uint8Array {
  // GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12.
  const w = new ProtoWriter();
  graph.nodes.forEach((node, i) => w.message(1, encodeNode(node, i)));
  w.string(2, graph.name);
  for (const init of graph.initializers ?? []) w.message(5, encodeInitializer(init));
  for (const input of graph.inputs) w.message(11, encodeValueInfo(input));
  for (const output of graph.outputs) w.message(12, encodeValueInfo(output));
  return w.finish();
}

/** Encodes a complete ModelProto. */
export function encodeModel(graph: OnnxGraph, options: OnnxModelOptions = {}): Uint8Array {
  const { opset = 13, irVersion = 8, producerName = 'softmax-bench', extraOpsets = [] } = options;
  // OperatorSetIdProto: domain = 1, version = 2. The default domain is the empty string.
  const opsetImport = (domain: string, version: number) => new ProtoWriter().string(1, domain).varint(2, version).finish();
  // ModelProto: ir_version = 1, producer_name = 2, graph = 7, opset_import = 8 (repeated).
  const w = new ProtoWriter()
    .varint(1, irVersion)
    .string(2, producerName)
    .message(7, encodeGraph(graph))
    .message(8, opsetImport('', opset));
  for (const extra of extraOpsets) w.message(8, opsetImport(extra.domain, extra.version));
  return w.finish();
}

export const intAttribute = (name: string, value: number): OnnxAttribute => ({ name, kind: 'int', value });
export const floatAttribute = (name: string, value: number): OnnxAttribute => ({ name, kind: 'float', value });

/**
 * A one-node model `y = Softmax(x, axis)` over float32 `x` of shape [rows, n] with both dims
 * symbolic, so one session serves every batch shape.
 */
export function softmaxModel(axis = -1, opset = 13): Uint8Array {
  const shape = ['rows', 'n'];
  return encodeModel(
    {
      name: 'softmax',
      nodes: [{ opType: 'Softmax', inputs: ['x'], outputs: ['y'], attributes: [intAttribute('axis', axis)] }],
      inputs: [{ name: 'x', elemType: OnnxDataType.FLOAT, shape }],
      outputs: [{ name: 'y', elemType: OnnxDataType.FLOAT, shape }],
    },
    { opset },
  );
}
