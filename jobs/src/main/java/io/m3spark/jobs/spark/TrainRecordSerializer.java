package io.m3spark.jobs.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.io.TrainRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A {@link TrainRecord} as the UTF-8 JSON of its object, as Jackson's own Java serialisation of a tree writes it, but
 * lossless: NaN and infinities (which training files may hold; Python writes them) stay bare numbers instead of
 * becoming the strings Jackson's default writer makes of them, so a record comes back equal, every field in its order.
 * (Java serialisation of a {@code TrainRecord} turns a NaN score into the string "NaN".)
 */
final class TrainRecordSerializer extends Serializer<TrainRecord> {
  private static final JsonMapper JSON = JsonMapper.builder()
      .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .build();

  TrainRecordSerializer() {
    setImmutable(true);
  }

  @Override
  public void write(Kryo kryo, Output output, TrainRecord record) {
    try {
      byte[] utf8 = JSON.writeValueAsBytes(record.json());
      output.writeVarInt(utf8.length, true);
      output.writeBytes(utf8);
    } catch (JsonProcessingException e) {
      throw new KryoException("cannot write training record " + record, e);
    }
  }

  @Override
  public TrainRecord read(Kryo kryo, Input input, Class<TrainRecord> type) {
    byte[] utf8 = input.readBytes(input.readVarInt(true));
    try {
      return TrainRecord.of((ObjectNode) JSON.readTree(utf8));
    } catch (IOException e) {
      throw new KryoException("cannot read back training record " + new String(utf8, StandardCharsets.UTF_8), e);
    }
  }
}
