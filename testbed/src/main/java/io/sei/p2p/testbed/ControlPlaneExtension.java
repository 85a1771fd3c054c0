package io.sei.p2p.testbed;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands tests a {@link ControlPlane} with this project's CRDs installed: one per test JVM, started on first use and
 * stopped when the JVM's test run ends. Use with {@code @ExtendWith(ControlPlaneExtension.class)} and a
 * {@code ControlPlane} parameter.
 */
public final class ControlPlaneExtension implements ParameterResolver {

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == ControlPlane.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return shared(context);
  }

  /** The test JVM's control plane, started on first use. */
  public static ControlPlane shared(ExtensionContext context) {
    return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(ControlPlane.class, key -> {
          ControlPlane plane = ControlPlane.start();
          Crds.install(plane.client());
          return plane;
        }, ControlPlane.class);
  }
}
