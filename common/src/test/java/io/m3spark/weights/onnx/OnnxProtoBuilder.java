package io.m3spark.weights.onnx;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes small ONNX ModelProto files field by field, to test how the importer treats graphs it cannot import. */
final class OnnxProtoBuilder {
  private final List<byte[]> initializers = new ArrayList<>();
  private final List<byte[]> nodes = new ArrayList<>();

  /** A float32 initializer of zeros. */
  OnnxProtoBuilder floats(String name, long... dims) {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    byte[] raw = ByteBuffer.allocate((int) n * 4).order(ByteOrder.LITTLE_ENDIAN).array();
    initializers.add(tensor(name, 1, dims, raw, false));
    return this;
  }

  /** An initializer with an arbitrary ONNX data type code and raw bytes. */
  OnnxProtoBuilder typed(String name, int dataType, byte[] raw, long... dims) {
    initializers.add(tensor(name, dataType, dims, raw, false));
    return this;
  }

  /** A float32 scalar initializer stored in TensorProto.float_data (packed) rather than raw_data. */
  OnnxProtoBuilder scalarFloatData(String name, float value) {
    initializers.add(message(out -> {
      out.writeInt32(2, 1);
      out.writeString(8, name);
      out.writeTag(4, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(4);
      out.writeFloatNoTag(value);
    }));
    return this;
  }

  /** A Constant node whose {@code value_float} attribute is {@code value}, output {@code name + "_output_0"}. */
  OnnxProtoBuilder constantFloat(String name, float value) {
    nodes.add(message(out -> {
      out.writeString(2, name + "_output_0");
      out.writeString(3, name);
      out.writeString(4, "Constant");
      out.writeByteArray(5, message(a -> {
        a.writeString(1, "value_float");
        a.writeFloat(2, value);
        a.writeInt32(20, 1);
      }));
    }));
    return this;
  }

  /** A float32 initializer whose data lives in an external file. */
  OnnxProtoBuilder external(String name, long... dims) {
    initializers.add(tensor(name, 1, dims, null, true));
    return this;
  }

  OnnxProtoBuilder node(String name, String opType, String... inputs) {
    nodes.add(message(out -> {
      for (String in : inputs) {
        out.writeString(1, in);
      }
      out.writeString(2, name + "_output_0");
      out.writeString(3, name);
      out.writeString(4, opType);
    }));
    return this;
  }

  /** The standard embeddings and one complete BERT layer, with linear weights as anonymous MatMul inputs. */
  OnnxProtoBuilder bertLayerZero(int hidden) {
    floats("embeddings.word_embeddings.weight", 10, hidden);
    floats("embeddings.position_embeddings.weight", 8, hidden);
    floats("embeddings.token_type_embeddings.weight", 2, hidden);
    floats("embeddings.LayerNorm.weight", hidden);
    floats("embeddings.LayerNorm.bias", hidden);
    String[] linears = {"attention/self/query", "attention/self/key", "attention/self/value", "attention/output/dense",
        "intermediate/dense", "output/dense"};
    int id = 100;
    for (String module : linears) {
      String w = "onnx::MatMul_" + id++;
      floats(w, hidden, hidden);
      node("/encoder/layer.0/" + module + "/MatMul", "MatMul", "x", w);
      floats("encoder.layer.0." + module.replace('/', '.') + ".bias", hidden);
    }
    for (String ln : new String[] {"attention.output.LayerNorm", "output.LayerNorm"}) {
      floats("encoder.layer.0." + ln + ".weight", hidden);
      floats("encoder.layer.0." + ln + ".bias", hidden);
    }
    return this;
  }

  Path write(Path file) {
    byte[] graph = message(out -> {
      for (byte[] n : nodes) {
        out.writeByteArray(1, n);
      }
      out.writeString(2, "test");
      for (byte[] t : initializers) {
        out.writeByteArray(5, t);
      }
    });
    byte[] model = message(out -> {
      out.writeInt64(1, 8); // ir_version
      out.writeString(2, "m3spark-test");
      out.writeByteArray(7, graph);
    });
    try {
      return Files.write(file, model);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] tensor(String name, int dataType, long[] dims, byte[] raw, boolean external) {
    return message(out -> {
      for (long d : dims) {
        out.writeInt64(1, d);
      }
      out.writeInt32(2, dataType);
      out.writeString(8, name);
      if (raw != null) {
        out.writeByteArray(9, raw);
      }
      if (external) {
        out.writeByteArray(13, message(kv -> {
          kv.writeString(1, "location");
          kv.writeString(2, "weights.bin");
        }));
        out.writeInt32(14, 1);
      }
    });
  }

  private interface Fields {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] message(Fields fields) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      fields.write(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
