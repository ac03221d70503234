package dev.ensemble.cache;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The node's vector index of semantic entries: Lucene's HNSW graph ({@link KnnFloatVectorField}, dot product over unit
 * vectors, so the score is the cosine) in memory, each vector filed under its entry key and context key; a search
 * looks only among entries of the same context (a filtered kNN query). Changes become visible to the next search,
 * which reopens the reader first (one reopen per search after any number of writes, not one per write). Confined to
 * one thread (the {@link CacheShelf}'s index thread): calls block for CPU work.
 */
public final class SemanticIndex implements AutoCloseable {

  /** A neighbour: its entry key and its cosine similarity to the query. */
  public record Match(String key, double similarity) {}

  private static final String KEY = "key";
  private static final String CONTEXT = "ctx";
  private static final String VECTOR = "v";

  private final ByteBuffersDirectory directory = new ByteBuffersDirectory();
  private final IndexWriter writer;
  private final SearcherManager searchers;
  private boolean dirty;

  public SemanticIndex() {
    try {
      writer = new IndexWriter(directory, new IndexWriterConfig().setRAMBufferSizeMB(64));
      searchers = new SearcherManager(writer, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void add(String key, String contextKey, float[] vector) {
    Document doc = new Document();
    doc.add(new StringField(KEY, key, Field.Store.YES));
    doc.add(new StringField(CONTEXT, contextKey, Field.Store.NO));
    doc.add(new KnnFloatVectorField(VECTOR, vector, VectorSimilarityFunction.DOT_PRODUCT));
    try {
      writer.updateDocument(new Term(KEY, key), doc);
      dirty = true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void remove(String key) {
    try {
      writer.deleteDocuments(new Term(KEY, key));
      dirty = true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Up to {@code k} nearest entries of {@code contextKey}, most similar first. */
  public List<Match> nearest(String contextKey, float[] vector, int k) {
    try {
      if (dirty) {
        searchers.maybeRefreshBlocking();
        dirty = false;
      }
      IndexSearcher searcher = searchers.acquire();
      try {
        TopDocs top = searcher.search(new KnnFloatVectorQuery(VECTOR, vector, k, new TermQuery(new Term(CONTEXT, contextKey))), k);
        List<Match> out = new ArrayList<>(top.scoreDocs.length);
        for (ScoreDoc d : top.scoreDocs) {
          // DOT_PRODUCT scores (1 + dot) / 2.
          out.add(new Match(searcher.storedFields().document(d.doc).get(KEY), 2.0 * d.score - 1.0));
        }
        return out;
      } finally {
        searchers.release(searcher);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Bytes the index holds in memory (vectors, graph, terms). */
  public long ramBytes() {
    long bytes = writer.ramBytesUsed();
    try {
      for (String file : directory.listAll()) {
        bytes += directory.fileLength(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes;
  }

  @Override
  public void close() {
    try {
      searchers.close();
      writer.close();
      directory.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
