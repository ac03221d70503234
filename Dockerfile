# Ensemble node image. Build: docker build -t ensemble:dev .   Run: docker run -p 8080:8080 ensemble:dev
# Stage 1 builds the jars with Maven; stage 2 (node) is a JRE with the node jar, the shipped config and cluster configs,
# running as an unprivileged user. java is PID 1 (exec form), so SIGTERM from `docker stop` or Kubernetes reaches
# the node and starts its drain (server.drain_timeout_ms); give `docker stop -t` / terminationGracePeriodSeconds more.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
COPY conf conf
COPY cluster cluster
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre AS node
RUN groupadd --system --gid 10001 ensemble \
 && useradd --system --uid 10001 --gid ensemble --home-dir /opt/ensemble --shell /usr/sbin/nologin ensemble \
 && mkdir -p /opt/ensemble/data /var/lib/ensemble \
 && chown -R 10001:10001 /opt/ensemble /var/lib/ensemble
WORKDIR /opt/ensemble
COPY --from=build /src/target/ensemble.jar /opt/ensemble/ensemble.jar
COPY conf /opt/ensemble/conf
COPY cluster /opt/ensemble/cluster
# Container-aware heap: 75% of the container's memory limit; an OOM ends the process (the orchestrator restarts
# it and the in-flight journal recovers what was streaming) instead of leaving a half-working JVM.
ENV JAVA_OPTS="-XX:+UseContainerSupport -XX:MaxRAMPercentage=75.0 -XX:InitialRAMPercentage=75.0 -XX:+UseG1GC -XX:+AlwaysPreTouch -XX:+ExitOnOutOfMemoryError -XX:-OmitStackTraceInFastThrow -Djava.net.preferIPv4Stack=true" \
    ENSEMBLE_CONFIG=/opt/ensemble/conf/ensemble.yaml \
    ENSEMBLE_HOST=0.0.0.0 \
    ENSEMBLE_PORT=8080
USER 10001:10001
# 8080 HTTP (and h2c, WebSocket); 5701 Hazelcast; 5801 the Vert.x event bus when ENSEMBLE_CLUSTER_PORT=5801
EXPOSE 8080 5701 5801
# Liveness through bash's /dev/tcp: the image needs no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${ENSEMBLE_PORT} && printf 'GET /api/v1/health HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /opt/ensemble/ensemble.jar serve --config \"$ENSEMBLE_CONFIG\""]

# The optional local embedder module (embedding_model: local/all-minilm-l6-v2; ONNX Runtime, tokenizer and model),
# next to the jar where the node looks for it: docker build --target local-embedder -t ensemble:dev-local .
# Its natives are extracted under response_cache.native_dir (default data/natives/, a writable volume).
FROM node AS local-embedder
COPY --from=build /src/target/ensemble-local-embedder.jar /opt/ensemble/ensemble-local-embedder.jar

# The default image: the node without the module.
FROM node
