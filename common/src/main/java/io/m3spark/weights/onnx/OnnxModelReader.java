package io.m3spark.weights.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.m3spark.weights.DType;
import io.m3spark.weights.HostTensor;
import io.m3spark.weights.WeightsFormatException;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the main graph of an ONNX model file by walking the protobuf wire format with the field numbers of
 * {@code onnx.proto} — no generated classes. The file is read once, front to back, from a memory mapping; tensor data
 * stays in the mapping (see {@link #read}).
 */
public final class OnnxModelReader {
  // ModelProto
  private static final int MODEL_GRAPH = 7;
  // GraphProto
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_INITIALIZER = 5;
  private static final int GRAPH_SPARSE_INITIALIZER = 15;
  // NodeProto
  private static final int NODE_INPUT = 1;
  private static final int NODE_OUTPUT = 2;
  private static final int NODE_NAME = 3;
  private static final int NODE_OP_TYPE = 4;
  private static final int NODE_ATTRIBUTE = 5;
  // AttributeProto
  private static final int ATTR_NAME = 1;
  private static final int ATTR_F = 2;
  private static final int ATTR_I = 3;
  private static final int ATTR_T = 5;
  // TensorProto
  private static final int TENSOR_DIMS = 1;
  private static final int TENSOR_DATA_TYPE = 2;
  private static final int TENSOR_FLOAT_DATA = 4;
  private static final int TENSOR_INT32_DATA = 5;
  private static final int TENSOR_INT64_DATA = 7;
  private static final int TENSOR_NAME = 8;
  private static final int TENSOR_RAW_DATA = 9;
  private static final int TENSOR_DOUBLE_DATA = 10;
  private static final int TENSOR_EXTERNAL_DATA = 13;
  private static final int TENSOR_DATA_LOCATION = 14;
  private static final int DATA_LOCATION_EXTERNAL = 1;
  /** Values one tensor may hold in TensorProto's typed fields (they are only used for small constants). */
  static final int MAX_TYPED_VALUES = 1 << 24;

  private final Path file;
  private final ByteBuffer mapped;
  private final CodedInputStream in;

  private OnnxModelReader(Path file, ByteBuffer mapped) {
    this.file = file;
    this.mapped = mapped;
    this.in = CodedInputStream.newInstance(mapped);
    in.setSizeLimit(Integer.MAX_VALUE); // protobuf's own 2 GiB message limit; the default 64 MiB is too small
  }

  /**
   * Reads the initializers and nodes of the model's main graph. The file is memory-mapped and each tensor's data is
   * a view of the mapping: nothing is copied onto the heap until a tensor is converted.
   */
  public static OnnxGraph read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (ch.size() > Integer.MAX_VALUE) {
        throw new WeightsFormatException(file, "over 2 GiB: a protobuf message cannot be, so this is not a "
            + "self-contained ONNX model (large models keep their weights in external data, which is not supported)");
      }
      return new OnnxModelReader(file, ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size())).readModel();
    } catch (InvalidProtocolBufferException e) {
      throw new WeightsFormatException(file, "not a readable ONNX model: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      // a check missing above must still refuse the file by name rather than crash the import
      throw new WeightsFormatException(file, "malformed ONNX model (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  private OnnxGraph readModel() throws IOException {
    OnnxGraph graph = null;
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (WireFormat.getTagFieldNumber(tag) == MODEL_GRAPH) {
        int limit = in.pushLimit(in.readRawVarint32());
        graph = readGraph();
        in.popLimit(limit);
      } else {
        in.skipField(tag);
      }
    }
    if (graph == null) {
      throw new WeightsFormatException(file, "not an ONNX model: no graph (ModelProto field 7)");
    }
    return graph;
  }

  private OnnxGraph readGraph() throws IOException {
    Map<String, HostTensor> initializers = new LinkedHashMap<>();
    List<OnnxNode> nodes = new ArrayList<>();
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case GRAPH_NODE -> {
          int limit = in.pushLimit(in.readRawVarint32());
          nodes.add(readNode());
          in.popLimit(limit);
        }
        case GRAPH_INITIALIZER -> {
          int limit = in.pushLimit(in.readRawVarint32());
          NamedTensor t = readTensor(true);
          in.popLimit(limit);
          if (initializers.put(t.name(), t.tensor()) != null) {
            throw new WeightsFormatException(file, "two initializers are named " + t.name());
          }
        }
        case GRAPH_SPARSE_INITIALIZER -> throw new WeightsFormatException(file, "sparse initializers are not supported");
        default -> in.skipField(tag);
      }
    }
    return new OnnxGraph(initializers, nodes);
  }

  private OnnxNode readNode() throws IOException {
    List<String> inputs = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    String name = "";
    String opType = "";
    HostTensor constantValue = null;
    Map<String, Float> floatAttributes = new HashMap<>();
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case NODE_INPUT -> inputs.add(in.readStringRequireUtf8());
        case NODE_OUTPUT -> outputs.add(in.readStringRequireUtf8());
        case NODE_NAME -> name = in.readStringRequireUtf8();
        case NODE_OP_TYPE -> opType = in.readStringRequireUtf8();
        case NODE_ATTRIBUTE -> {
          int limit = in.pushLimit(in.readRawVarint32());
          Attribute a = readAttribute();
          in.popLimit(limit);
          if (a.value() != null) {
            constantValue = a.value();
          }
          if (a.f() != null) {
            floatAttributes.put(a.name(), a.f());
          }
        }
        default -> in.skipField(tag);
      }
    }
    // Only a Constant node's value is a tensor we may need (scalars such as the attention scale, LayerNorm eps).
    return new OnnxNode(name, opType, inputs, outputs, opType.equals("Constant") ? constantValue : null,
        floatAttributes);
  }

  /**
   * An attribute as far as we use it: its float if it has one, and as {@code value} the tensor that a
   * {@code value}, {@code value_float} or {@code value_int} attribute of a Constant node stands for.
   */
  private record Attribute(String name, Float f, HostTensor value) {}

  private Attribute readAttribute() throws IOException {
    String name = "";
    HostTensor tensor = null;
    Float f = null;
    Long i = null;
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case ATTR_NAME -> name = in.readStringRequireUtf8();
        case ATTR_F -> f = in.readFloat();
        case ATTR_I -> i = in.readInt64();
        case ATTR_T -> {
          int limit = in.pushLimit(in.readRawVarint32());
          tensor = readTensor(false).tensor();
          in.popLimit(limit);
        }
        default -> in.skipField(tag);
      }
    }
    HostTensor value = switch (name) {
      case "value" -> tensor;
      case "value_float" -> f == null ? null : HostTensor.ofFloats(new float[] {f});
      case "value_int" -> i == null ? null : scalarLong(i);
      default -> null;
    };
    return new Attribute(name, f, value);
  }

  private record NamedTensor(String name, HostTensor tensor) {}

  /**
   * Reads a TensorProto. For an initializer ({@code required}) an unsupported element type or external data is an
   * error; for a node attribute the tensor is just dropped (null), since attributes never hold weights we map.
   */
  private NamedTensor readTensor(boolean required) throws IOException {
    List<Long> dims = new ArrayList<>();
    int onnxType = 0;
    String name = "";
    ByteBuffer raw = null;
    boolean external = false;
    TypedValues typed = new TypedValues();
    int tag;
    while ((tag = in.readTag()) != 0) {
      int field = WireFormat.getTagFieldNumber(tag);
      boolean packed = WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
      switch (field) {
        case TENSOR_DIMS -> readRepeatedVarint(packed, dims);
        case TENSOR_DATA_TYPE -> onnxType = in.readInt32();
        case TENSOR_NAME -> name = in.readStringRequireUtf8();
        case TENSOR_RAW_DATA -> raw = rawDataView();
        case TENSOR_FLOAT_DATA -> typed.readFloats(packed);
        case TENSOR_INT32_DATA -> typed.readInt32s(packed);
        case TENSOR_INT64_DATA -> typed.readInt64s(packed);
        case TENSOR_DOUBLE_DATA -> typed.readDoubles(packed);
        case TENSOR_EXTERNAL_DATA -> {
          external = true;
          in.skipField(tag);
        }
        case TENSOR_DATA_LOCATION -> external |= in.readInt32() == DATA_LOCATION_EXTERNAL;
        default -> in.skipField(tag);
      }
    }
    String what = name.isEmpty() ? "a constant tensor" : "tensor " + name;
    if (external) {
      if (!required) {
        return new NamedTensor(name, null);
      }
      throw new WeightsFormatException(file, what + " keeps its data in an external file; "
          + "only self-contained ONNX models are supported (re-export with all tensors inside the .onnx file)");
    }
    DType dtype = OnnxDataType.toDType(onnxType);
    if (dtype == null) {
      if (!required) {
        return new NamedTensor(name, null);
      }
      throw new WeightsFormatException(file, what + " has ONNX data type " + onnxType + " ("
          + OnnxDataType.name(onnxType) + "), which the importer does not read");
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    long expected;
    try {
      expected = HostTensor.byteSize(dtype, shape);
    } catch (ArithmeticException | IllegalArgumentException e) {
      throw new WeightsFormatException(file, what + " has shape " + Arrays.toString(shape)
          + ", which is negative or too large to address");
    }
    ByteBuffer data = raw != null ? raw : typed.toBytes(dtype);
    if (data.remaining() != expected) {
      throw new WeightsFormatException(file, what + " of shape " + Arrays.toString(shape) + " and type " + dtype
          + " holds " + data.remaining() + " bytes instead of " + expected);
    }
    return new NamedTensor(name, new HostTensor(dtype, shape, data));
  }

  /** A length-delimited field's bytes as a view of the mapped file, skipped over in the stream. */
  private ByteBuffer rawDataView() throws IOException {
    int length = in.readRawVarint32();
    int start = in.getTotalBytesRead();
    if (length < 0 || start + (long) length > mapped.capacity()) {
      throw new WeightsFormatException(file, "truncated: a tensor's raw_data runs past the end of the file");
    }
    ByteBuffer view = mapped.slice(start, length);
    in.skipRawBytes(length);
    return view;
  }

  private void readRepeatedVarint(boolean packed, List<Long> out) throws IOException {
    if (!packed) {
      out.add(in.readInt64());
      return;
    }
    int limit = in.pushLimit(in.readRawVarint32());
    while (in.getBytesUntilLimit() > 0) {
      out.add(in.readInt64());
    }
    in.popLimit(limit);
  }

  private static HostTensor scalarLong(long v) {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
    return new HostTensor(DType.I64, new long[0], b);
  }

  /**
   * Values stored in TensorProto's typed repeated fields instead of raw_data (small constants often are).
   * They are collected as numbers and laid out little-endian in the tensor's own type at the end.
   */
  private final class TypedValues {
    private final List<Number> values = new ArrayList<>();

    void readFloats(boolean packed) throws IOException {
      readEach(packed, () -> values.add(in.readFloat()));
    }

    void readDoubles(boolean packed) throws IOException {
      readEach(packed, () -> values.add(in.readDouble()));
    }

    void readInt32s(boolean packed) throws IOException {
      readEach(packed, () -> values.add(in.readInt32()));
    }

    void readInt64s(boolean packed) throws IOException {
      readEach(packed, () -> values.add(in.readInt64()));
    }

    private void readEach(boolean packed, IoAction readOne) throws IOException {
      if (!packed) {
        readOne(readOne);
        return;
      }
      int limit = in.pushLimit(in.readRawVarint32());
      while (in.getBytesUntilLimit() > 0) {
        readOne(readOne);
      }
      in.popLimit(limit);
    }

    /** One value more, within the bound: each is a boxed number on the heap, up to 24 times its 1-byte varint. */
    private void readOne(IoAction read) throws IOException {
      if (values.size() >= MAX_TYPED_VALUES) {
        throw new WeightsFormatException(file, "a tensor holds more than " + MAX_TYPED_VALUES + " values in its typed "
            + "fields (float_data, int64_data, …); exporters put weights that large in raw_data");
      }
      read.run();
    }

    /** Lays the values out as {@code dtype}; 16-bit floats arrive as their bit patterns in int32_data. */
    ByteBuffer toBytes(DType dtype) {
      ByteBuffer b = ByteBuffer.allocate(values.size() * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
      for (Number v : values) {
        switch (dtype) {
          case F32 -> b.putFloat(v.floatValue());
          case F64 -> b.putDouble(v.doubleValue());
          case I64 -> b.putLong(v.longValue());
          case I32 -> b.putInt(v.intValue());
          case F16, BF16, I16 -> b.putShort(v.shortValue());
          case I8, U8, BOOL -> b.put(v.byteValue());
        }
      }
      return b.flip();
    }
  }

  @FunctionalInterface
  private interface IoAction {
    void run() throws IOException;
  }
}
