/**
 * Exact inner-product search: {@link io.m3spark.search.ExactTopK} scores a block of queries against a corpus shard with one
 * matmul and one topK on the device; {@link io.m3spark.search.TopKMerger} merges partial lists from several shards. Every
 * result list is in {@link io.m3spark.search.HitOrder} (score descending, docid ascending), in the shards and after the
 * merge, so the result does not depend on how the corpus was sharded or the queries blocked.
 */
package io.m3spark.search;
