package io.m3spark.search;

import java.io.Serializable;

/**
 * One search result: a document id and its inner-product score with the query.
 *
 * @param docid the corpus id
 * @param score the fp32 inner product (cosine for normalised vectors)
 */
public record Hit(String docid, float score) implements Serializable {}
