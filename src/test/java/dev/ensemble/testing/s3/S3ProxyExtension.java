package dev.ensemble.testing.s3;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory S3 (S3Proxy with a transient blob store) on a free 127.0.0.1 port for a test class, with one
 * bucket created. It accepts any SigV4 keys; the AWS SDK's default credentials chain finds dummy ones in the
 * {@code aws.accessKeyId} / {@code aws.secretAccessKey} system properties, set here for the class and restored
 * afterwards. Clients need path-style addressing and the {@link #endpoint()} override.
 */
public final class S3ProxyExtension implements BeforeAllCallback, AfterAllCallback {

  private static final String ACCESS_KEY = "aws.accessKeyId";
  private static final String SECRET_KEY = "aws.secretAccessKey";

  private final String bucket;
  private TransientNio2BlobStore store;
  private S3Proxy proxy;
  private URI endpoint;
  private String previousAccessKey;
  private String previousSecretKey;

  public S3ProxyExtension(String bucket) {
    this.bucket = bucket;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    previousAccessKey = System.getProperty(ACCESS_KEY);
    previousSecretKey = System.getProperty(SECRET_KEY);
    System.setProperty(ACCESS_KEY, "AKIDTESTDUMMY0000000");
    System.setProperty(SECRET_KEY, "dummy-secret-for-s3proxy-tests-000000000");
    store = new TransientNio2BlobStore();
    store.createContainer(bucket);
    endpoint = URI.create("http://127.0.0.1:" + freePort());
    proxy = S3Proxy.builder().blobStore(store).endpoint(endpoint).build();
    proxy.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
      }
      Thread.onSpinWait();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      if (proxy != null) {
        proxy.stop();
      }
    } finally {
      restore(ACCESS_KEY, previousAccessKey);
      restore(SECRET_KEY, previousSecretKey);
    }
  }

  /** {@code http://127.0.0.1:<port>}. */
  public URI endpoint() {
    return endpoint;
  }

  public String bucket() {
    return bucket;
  }

  /** Every object key in the bucket. */
  public List<String> keys() {
    return store.list(ListObjectsV2Request.builder().bucket(bucket).build()).contents().stream().map(S3Object::key).toList();
  }

  /** The bytes of the object {@code key}, as stored. */
  public byte[] object(String key) throws java.io.IOException {
    try (var in = store.getBlob(GetObjectRequest.builder().bucket(bucket).key(key).build())) {
      return in.readAllBytes();
    }
  }

  private static int freePort() throws Exception {
    return dev.ensemble.testing.FreePorts.next();
  }

  private static void restore(String property, String previous) {
    if (previous == null) {
      System.clearProperty(property);
    } else {
      System.setProperty(property, previous);
    }
  }
}
