package io.wruntime.kubetest;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A client for the operator under test that records each API request it makes, so a test can
 * compare what the operator really does with the permissions it declares.
 */
public final class RecordingClient {
  private final ConcurrentLinkedQueue<ApiRequest> requests = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<String> unparsed = new ConcurrentLinkedQueue<>();

  public KubernetesClient client(Config config) {
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientBuilderConsumer(
            builder ->
                builder.addOrReplaceInterceptor(
                    "wr-recorder",
                    new Interceptor() {
                      @Override
                      public void before(
                          BasicBuilder b, HttpRequest request, Interceptor.RequestTags tags) {
                        ApiRequest api =
                            ApiRequest.parse(
                                request.method(),
                                request.header("Content-Type"),
                                request.uri().toString().replaceFirst("^[a-z]+://[^/]+", ""));
                        if (api == null) {
                          unparsed.add(request.method() + " " + request.uri());
                        } else {
                          requests.add(api);
                        }
                      }
                    }))
        .build();
  }

  /** "group/resource" to the verbs used on it. */
  public Map<String, Set<String>> permissions() {
    Map<String, Set<String>> out = new TreeMap<>();
    for (ApiRequest r : requests) {
      out.computeIfAbsent(r.group() + "/" + r.resource(), k -> new TreeSet<>()).addAll(r.verbs());
    }
    return out;
  }

  /** How many requests used {@code verb} on "group/resource" so far. */
  public long count(String groupResource, String verb) {
    return requests.stream()
        .filter(r -> (r.group() + "/" + r.resource()).equals(groupResource))
        .filter(r -> r.verbs().contains(verb))
        .count();
  }

  public Set<String> unparsed() {
    return new TreeSet<>(unparsed);
  }
}
