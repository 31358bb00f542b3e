package io.junction.cli;

import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an action on SIGHUP where the JVM allows it. {@code sun.misc.Signal} is reached by
 * reflection (it is an unsupported JDK API: compiling against it directly warns, and {@code
 * -Werror} refuses); where it is missing or the signal is taken, SIGHUP is simply not handled and
 * that is logged.
 */
final class Hangup {
  private static final Logger LOG = LoggerFactory.getLogger(Hangup.class);

  private Hangup() {}

  static boolean onHangup(Runnable action) {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handler = Class.forName("sun.misc.SignalHandler");
      Object hup = signal.getConstructor(String.class).newInstance("HUP");
      Object proxy =
          Proxy.newProxyInstance(
              Hangup.class.getClassLoader(),
              new Class<?>[] {handler},
              (self, method, args) -> {
                if (method.getName().equals("handle")) action.run();
                else if (method.getName().equals("toString")) return "junction-sighup";
                else if (method.getName().equals("hashCode")) return System.identityHashCode(self);
                else if (method.getName().equals("equals")) return self == args[0];
                return null;
              });
      signal.getMethod("handle", signal, handler).invoke(null, hup, proxy);
      return true;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      LOG.info("SIGHUP is not available here ({}); use `junction reload`", e.toString());
      return false;
    }
  }
}
