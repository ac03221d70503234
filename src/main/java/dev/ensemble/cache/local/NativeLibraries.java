package dev.ensemble.cache.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * Where the local embedder's native code goes: ONNX Runtime's libraries are extracted from its jar into
 * {@code <dir>/onnxruntime} (and loaded from there through {@code onnxruntime.native.path}), the tokenizer's into
 * {@code <dir>/djl} ({@code DJL_CACHE_DIR}), instead of the temp dir and {@code ~/.djl.ai}; so a container with a
 * read-only root file system points {@code response_cache.native_dir} at a writable volume. These are JVM-wide
 * system properties, set once before the first model load.
 */
final class NativeLibraries {

  private static final List<String> ORT_FILES = List.of("libonnxruntime.so", "libonnxruntime4j_jni.so", "libonnxruntime.dylib",
      "libonnxruntime4j_jni.dylib", "onnxruntime.dll", "onnxruntime4j_jni.dll");

  private NativeLibraries() {
  }

  static void prepare(Path dir) {
    try {
      Path djl = Files.createDirectories(dir.resolve("djl"));
      System.setProperty("DJL_CACHE_DIR", djl.toAbsolutePath().toString());
      System.setProperty("ENGINE_CACHE_DIR", djl.toAbsolutePath().toString());
      System.setProperty("ai.djl.offline", "true");
      Path ort = Files.createDirectories(dir.resolve("onnxruntime"));
      String platform = ortPlatform();
      boolean any = false;
      for (String name : ORT_FILES) {
        try (InputStream in = NativeLibraries.class.getResourceAsStream("/ai/onnxruntime/native/" + platform + "/" + name)) {
          if (in == null) {
            continue;
          }
          Path target = ort.resolve(name);
          if (!Files.exists(target)) {
            Path tmp = Files.createTempFile(ort, name, ".part");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          }
          any = true;
        }
      }
      if (any) {
        System.setProperty("onnxruntime.native.path", ort.toAbsolutePath().toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the native libraries under " + dir, e);
    }
  }

  private static String ortPlatform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String a = arch.equals("amd64") || arch.equals("x86_64") ? "x64" : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : arch;
    String o = os.contains("mac") ? "osx" : os.contains("win") ? "win" : "linux";
    return o + "-" + a;
  }
}
