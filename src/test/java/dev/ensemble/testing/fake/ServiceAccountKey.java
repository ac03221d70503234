package dev.ensemble.testing.fake;

import io.vertx.core.json.JsonObject;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.UUID;

/**
 * A Google service-account JSON key generated for a test: a fresh 2048-bit RSA key pair, the private half in the
 * JSON as Google's console writes it (PKCS#8 PEM), the public half kept to verify the JWT assertions signed
 * with it. {@code token_uri} points wherever the test says (a {@link FakeGoogleOAuth}).
 */
public final class ServiceAccountKey {

  private final String clientEmail;
  private final String projectId;
  private final RSAPublicKey publicKey;
  private final JsonObject json;

  private ServiceAccountKey(String clientEmail, String projectId, RSAPublicKey publicKey, JsonObject json) {
    this.clientEmail = clientEmail;
    this.projectId = projectId;
    this.publicKey = publicKey;
    this.json = json;
  }

  /** A key of account {@code name}@{@code projectId}.iam.gserviceaccount.com; {@code projectId} may be null. */
  public static ServiceAccountKey generate(String name, String projectId, String tokenUri) {
    KeyPair pair;
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      pair = generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    String email = name + "@" + (projectId == null ? "unnamed-project" : projectId) + ".iam.gserviceaccount.com";
    JsonObject json = new JsonObject().put("type", "service_account");
    if (projectId != null) {
      json.put("project_id", projectId);
    }
    json.put("private_key_id", UUID.randomUUID().toString().replace("-", ""))
        .put("private_key", pem)
        .put("client_email", email)
        .put("client_id", "1" + Long.toString(Math.abs(email.hashCode())))
        .put("auth_uri", "https://accounts.google.com/o/oauth2/auth")
        .put("token_uri", tokenUri)
        .put("auth_provider_x509_cert_url", "https://www.googleapis.com/oauth2/v1/certs")
        .put("universe_domain", "googleapis.com");
    return new ServiceAccountKey(email, projectId, (RSAPublicKey) pair.getPublic(), json);
  }

  public String clientEmail() {
    return clientEmail;
  }

  public String projectId() {
    return projectId;
  }

  public RSAPublicKey publicKey() {
    return publicKey;
  }

  /** The JSON key file's text, on one line. */
  public String json() {
    return json.encode();
  }
}
