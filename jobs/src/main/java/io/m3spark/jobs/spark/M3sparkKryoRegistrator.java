package io.m3spark.jobs.spark;

import com.esotericsoftware.kryo.Kryo;
import io.m3spark.io.BadTrainRecord;
import io.m3spark.io.TrainRecord;
import io.m3spark.jobs.embed.BadRecord;
import io.m3spark.jobs.embed.EmbedStats;
import io.m3spark.jobs.embed.EmbeddedRecord;
import io.m3spark.jobs.embed.NumberedLines;
import io.m3spark.jobs.embed.ParsedRecord;
import io.m3spark.jobs.embed.SourcePosition;
import io.m3spark.jobs.embed.TextRecord;
import io.m3spark.jobs.mine.TrainingInput;
import io.m3spark.jobs.search.CandidateReranker;
import io.m3spark.jobs.search.HitListWire;
import io.m3spark.mining.FilterRule;
import io.m3spark.mining.FixedBinHistogram;
import io.m3spark.mining.MinedNegatives;
import io.m3spark.mining.MiningStats;
import io.m3spark.search.BoundedTopK;
import io.m3spark.search.Hit;
import io.m3spark.search.QueryHits;
import io.m3spark.search.VectorBlock;
import io.m3spark.train.loop.TrainLoop;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.TreeMap;
import org.apache.spark.serializer.KryoRegistrator;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;

/**
 * m3spark's Kryo setup ({@code spark.kryo.registrator}): every class our jobs shuffle, cache, collect or broadcast, so
 * that Kryo writes a small id instead of a class name per record, and the serialisers Kryo 4 lacks: Java records
 * ({@link RecordSerializer}, for every record, registered or not), the JDK's immutable collections
 * ({@link JdkCollectionSerializers}), {@code EnumMap}, {@code Hit[]} (flat), {@link TrainRecord} (a Jackson tree) and
 * {@link BoundedTopK} (a heap).
 *
 * <p>Kryo numbers classes in the order they are registered, and the driver and every executor must agree on the
 * numbers: the order here is fixed, and nothing is registered conditionally. Spark registers its own classes (Scala
 * tuples and collections, primitive arrays, {@code String[]}, {@code Object[]}, the {@code Collections.unmodifiable*}
 * views) before and after this registrator. A class missing here is still serialised, with its name, unless
 * {@code spark.kryo.registrationRequired} is set — as the test suite sets it, so that a job shipping an unregistered
 * class fails its test.
 */
public final class M3sparkKryoRegistrator implements KryoRegistrator {

  /** Ours that Kryo's default serialisers (or {@link RecordSerializer}) handle, in registration order. */
  private static final List<Class<?>> OURS = List.of(
      // embed
      SourcePosition.class, TextRecord.class, BadRecord.class, ParsedRecord.class, EmbeddedRecord.class,
      EmbedStats.class, NumberedLines.Line.class,
      // search
      Hit.class, QueryHits.class, HitListWire.class, VectorBlock.class, CandidateReranker.PairScore.class,
      // mine
      BadTrainRecord.class, TrainingInput.Checked.class, MinedNegatives.class, FilterRule.class,
      MiningStats.class, FixedBinHistogram.class,
      // train
      TrainLoop.Summary.class, TrainLoop.Summary[].class);

  @Override
  public void registerClasses(Kryo kryo) {
    // Before any registration: the serialiser of a registered class is chosen when it is registered.
    kryo.addDefaultSerializer(Record.class, RecordSerializer.class);

    // JDK classes our values hold (Kryo's own serialisers), then those Kryo cannot rebuild (ours).
    for (Class<?> c : List.of(ArrayList.class, HashMap.class, LinkedHashMap.class, HashSet.class,
        LinkedHashSet.class, TreeMap.class, float[][].class)) {
      kryo.register(c);
    }
    kryo.register(EnumMap.class, new EnumMapSerializer());
    JdkCollectionSerializers.register(kryo);

    // Spark SQL schema types that Spark does not register: reading Parquet collects the files' schemas (StructType)
    // as task results, and our embeddings hold arrays and maps of floats.
    for (DataType t : List.of(DataTypes.FloatType, DataTypes.BinaryType, DataTypes.BooleanType, DataTypes.ShortType,
        DataTypes.ByteType, DataTypes.TimestampType, DataTypes.NullType)) {
      kryo.register(t.getClass());
    }
    kryo.register(ArrayType.class);
    kryo.register(MapType.class);

    kryo.register(Hit[].class, new HitArraySerializer());
    OURS.forEach(kryo::register);
    kryo.register(BoundedTopK.class, new BoundedTopKSerializer());
    kryo.register(TrainRecord.class, new TrainRecordSerializer());
  }
}
