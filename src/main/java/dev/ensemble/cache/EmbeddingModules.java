package dev.ensemble.cache;

import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Finds a built-in embedding model ({@link EmbeddingModule}): first on the class path (the tests, or a module jar put
 * on it), else in the optional module jar — {@value #JAR_NAME}, which {@code mvn package} builds next to
 * {@code ensemble.jar}, looked for next to the running jar unless {@code response_cache.local_embedder_jar} names it —
 * through a {@link URLClassLoader} child of this class's loader (parent first: the module shares the main jar's
 * Jackson, SLF4J and this interface). The loader is made once per node at start and never closed: the native
 * libraries ONNX Runtime loads are bound to it, and the JVM loads a native library into one class loader only.
 */
public final class EmbeddingModules {

  /** The file name of the optional local embedder module. */
  public static final String JAR_NAME = "ensemble-local-embedder.jar";

  private EmbeddingModules() {
  }

  /**
   * The module serving {@code model}: on the class path of {@code parent}, else in {@code jar} (when it exists);
   * empty when neither has it.
   */
  public static Optional<EmbeddingModule> find(String model, ClassLoader parent, Path jar) {
    Optional<EmbeddingModule> onClassPath = find(model, ServiceLoader.load(EmbeddingModule.class, parent));
    if (onClassPath.isPresent() || jar == null || !Files.isRegularFile(jar)) {
      return onClassPath;
    }
    URLClassLoader loader;
    try {
      loader = new URLClassLoader("ensemble-embedding-module", new URL[] {jar.toUri().toURL()}, parent);
    } catch (MalformedURLException e) {
      throw new UncheckedIOException(e);
    }
    return find(model, ServiceLoader.load(EmbeddingModule.class, loader));
  }

  /** Where the module jar is looked for: {@code configured} when set, else next to the jar this class runs from (null when it runs from classes). */
  public static Path jar(String configured) {
    if (!configured.isEmpty()) {
      return Path.of(configured).toAbsolutePath();
    }
    try {
      var source = EmbeddingModules.class.getProtectionDomain().getCodeSource();
      if (source == null) {
        return null;
      }
      Path running = Path.of(source.getLocation().toURI());
      return Files.isRegularFile(running) && running.getParent() != null ? running.getParent().resolve(JAR_NAME) : null;
    } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
      return null;
    }
  }

  /** What a command that needs {@code model} but cannot find its module says, and the first fix (callers add theirs). */
  public static String missing(String model, Path jar) {
    return model + " is the built-in embedder of the optional local embedder module, which is not installed (not on the class path"
        + (jar == null ? "" : ", no " + jar) + "): put " + JAR_NAME + " (mvn package builds it next to ensemble.jar) "
        + (jar == null ? "on the class path" : "at " + jar);
  }

  private static Optional<EmbeddingModule> find(String model, ServiceLoader<EmbeddingModule> modules) {
    for (EmbeddingModule module : modules) {
      if (module.model().equals(model)) {
        return Optional.of(module);
      }
    }
    return Optional.empty();
  }
}
