package dev.ensemble.cache;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
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
 * looks only among entries of the same context (a filtered kNN query). The vectors live here only: the shelf drops its
 * copy once an entry is indexed, and {@link #vector} reads one back.
 *
 * <p>Threads: changes ({@link #add}, {@link #remove}) and {@link #refresh} come from one writer thread (the
 * {@link CacheShelf}'s); {@link #nearest}, {@link #vector} and {@link #ramBytes} run on any thread at the same time
 * as the writer, each on the searcher current when it starts (Lucene's near-real-time {@link SearcherManager}: a
 * searcher is an immutable point-in-time view, reference counted). Changes become visible to searches at the next
 * {@link #refresh}, which the writer calls after each batch of changes.
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

  public SemanticIndex() {
    try {
      // A joining node's bulk load fills one buffer per indexing thread before it flushes a segment; no commits (in memory).
      writer = new IndexWriter(directory, new IndexWriterConfig().setRAMBufferSizeMB(128).setCommitOnClose(false));
      searchers = new SearcherManager(writer, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Files (or replaces) the vector of {@code key}. Thread-safe (the bulk load adds from several threads at once). */
  public void add(String key, String contextKey, float[] vector) {
    Document doc = new Document();
    doc.add(new StringField(KEY, key, Field.Store.YES));
    doc.add(new StringField(CONTEXT, contextKey, Field.Store.NO));
    doc.add(new KnnFloatVectorField(VECTOR, vector, VectorSimilarityFunction.DOT_PRODUCT));
    try {
      writer.updateDocument(new Term(KEY, key), doc);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void remove(String key) {
    try {
      writer.deleteDocuments(new Term(KEY, key));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Makes the changes so far visible to the searches that start after it returns. */
  public void refresh() {
    try {
      searchers.maybeRefreshBlocking();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Up to {@code k} nearest entries of {@code contextKey}, most similar first. Any thread. */
  public List<Match> nearest(String contextKey, float[] vector, int k) {
    try {
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

  /** The vector filed under {@code key} as of the last refresh, or null. Any thread. */
  public float[] vector(String key) {
    try {
      IndexSearcher searcher = searchers.acquire();
      try {
        TopDocs hit = searcher.search(new TermQuery(new Term(KEY, key)), 1);
        if (hit.scoreDocs.length == 0) {
          return null;
        }
        int doc = hit.scoreDocs[0].doc;
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        LeafReaderContext leaf = leaves.get(org.apache.lucene.index.ReaderUtil.subIndex(doc, leaves));
        FloatVectorValues values = leaf.reader().getFloatVectorValues(VECTOR);
        int local = doc - leaf.docBase;
        return values != null && values.advance(local) == local ? values.vectorValue().clone() : null;
      } finally {
        searchers.release(searcher);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Bytes the index holds in memory (vectors, graph, terms, the writer's buffers). Any thread. */
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
