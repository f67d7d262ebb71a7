package io.wruntime.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Records the buffers Netty's leak detector reports, so that tests fail on a leak instead of
 * logging it. Installed for the whole test JVM before any test runs (a launcher session listener,
 * so that Netty's buffer classes pick up the factory); as a JUnit extension it checks after a test
 * class that nothing leaked.
 */
public final class LeakRecorder implements LauncherSessionListener, AfterAllCallback {
  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(
        new ResourceLeakDetectorFactory() {
          @Override
          @SuppressWarnings("deprecation")
          public <T> ResourceLeakDetector<T> newResourceLeakDetector(
              Class<T> resource, int samplingInterval, long maxActive) {
            return new ResourceLeakDetector<>(resource, samplingInterval) {
              @Override
              protected void reportTracedLeak(String resourceType, String records) {
                LEAKS.add(resourceType + " leaked:" + records);
              }

              @Override
              protected void reportUntracedLeak(String resourceType) {
                LEAKS.add(resourceType + " leaked");
              }
            };
          }
        });
  }

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    // Leaks are found when a lost buffer is collected and a later allocation polls the queue.
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
      for (int j = 0; j < 64; j++) {
        ByteBuf probe = PooledByteBufAllocator.DEFAULT.buffer(16);
        probe.release();
      }
    }
    assertThat(LEAKS).as("buffers leaked (Netty leak detector)").isEmpty();
  }
}
