// The part of the ONNX protobuf schema (onnx.proto, IR version 8) that an exported language model uses: model,
// graph, node, attribute, tensor and value-info messages, with ONNX's own field numbers. protobufjs (a maintained
// protobuf runtime) does the wire encoding from this descriptor; no byte is written by hand here. Fields the
// exporter never sets (sparse tensors, functions, training info) are left out, which protobuf allows.
import protobuf from 'protobufjs';

const repeated = (type: string, id: number) => ({ rule: 'repeated', type, id });
const field = (type: string, id: number) => ({ type, id });

const SCHEMA = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: field('string', 1),
            f: field('float', 2),
            i: field('int64', 3),
            s: field('bytes', 4),
            t: field('TensorProto', 5),
            floats: repeated('float', 7),
            ints: repeated('int64', 8),
            strings: repeated('bytes', 9),
            type: field('int32', 20),
          },
        },
        ValueInfoProto: { fields: { name: field('string', 1), type: field('TypeProto', 2), docString: field('string', 3) } },
        NodeProto: {
          fields: {
            input: repeated('string', 1),
            output: repeated('string', 2),
            name: field('string', 3),
            opType: field('string', 4),
            attribute: repeated('AttributeProto', 5),
            docString: field('string', 6),
            domain: field('string', 7),
          },
        },
        ModelProto: {
          fields: {
            irVersion: field('int64', 1),
            producerName: field('string', 2),
            producerVersion: field('string', 3),
            domain: field('string', 4),
            modelVersion: field('int64', 5),
            docString: field('string', 6),
            graph: field('GraphProto', 7),
            opsetImport: repeated('OperatorSetIdProto', 8),
            metadataProps: repeated('StringStringEntryProto', 14),
          },
        },
        StringStringEntryProto: { fields: { key: field('string', 1), value: field('string', 2) } },
        GraphProto: {
          fields: {
            node: repeated('NodeProto', 1),
            name: field('string', 2),
            initializer: repeated('TensorProto', 5),
            docString: field('string', 10),
            input: repeated('ValueInfoProto', 11),
            output: repeated('ValueInfoProto', 12),
          },
        },
        TensorProto: {
          fields: {
            dims: repeated('int64', 1),
            dataType: field('int32', 2),
            name: field('string', 8),
            rawData: field('bytes', 9),
          },
        },
        TensorShapeProto: {
          fields: { dim: repeated('Dimension', 1) },
          nested: { Dimension: { oneofs: { value: { oneof: ['dimValue', 'dimParam'] } }, fields: { dimValue: field('int64', 1), dimParam: field('string', 2) } } },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensorType'] } },
          fields: { tensorType: field('Tensor', 1) },
          nested: { Tensor: { fields: { elemType: field('int32', 1), shape: field('TensorShapeProto', 2) } } },
        },
        OperatorSetIdProto: { fields: { domain: field('string', 1), version: field('int64', 2) } },
      },
    },
  },
};

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;
/** AttributeProto.AttributeType values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

let modelType: protobuf.Type | null = null;

/** Plain-object forms of the messages (camelCase field names, as protobufjs maps them). */
export interface TensorMsg { name: string; dims: number[]; dataType: number; rawData: Uint8Array }
export interface AttributeMsg { name: string; type: number; i?: number; f?: number; s?: Uint8Array; ints?: number[]; floats?: number[]; strings?: Uint8Array[] }
export interface NodeMsg { input: string[]; output: string[]; name: string; opType: string; attribute: AttributeMsg[] }
export interface ValueInfoMsg { name: string; type: { tensorType: { elemType: number; shape: { dim: Array<{ dimValue: number } | { dimParam: string }> } } }; docString?: string }
export interface ModelMsg {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  docString: string;
  opsetImport: Array<{ domain: string; version: number }>;
  metadataProps: Array<{ key: string; value: string }>;
  graph: { name: string; node: NodeMsg[]; initializer: TensorMsg[]; input: ValueInfoMsg[]; output: ValueInfoMsg[]; docString?: string };
}

function onnxModelType(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(SCHEMA).lookupType('onnx.ModelProto');
  return modelType;
}

/** The ModelProto's bytes: what an .onnx file holds. */
export function encodeModel(model: ModelMsg): Uint8Array {
  const type = onnxModelType();
  const message = type.fromObject(model as unknown as Record<string, unknown>);
  return type.encode(message).finish();
}

/** Reads a ModelProto back (for tests and for checking what was written). */
export function decodeModel(bytes: Uint8Array): ModelMsg {
  const type = onnxModelType();
  return type.toObject(type.decode(bytes), { longs: Number, defaults: false, arrays: true }) as unknown as ModelMsg;
}
