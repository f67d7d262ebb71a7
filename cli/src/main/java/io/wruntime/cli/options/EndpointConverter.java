package io.wruntime.cli.options;

import io.wruntime.cli.client.Endpoint;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Converts an address option ({@code --manager}, {@code --proxy}, ...) to an {@link Endpoint}. */
public final class EndpointConverter implements ITypeConverter<Endpoint> {
  @Override
  public Endpoint convert(String value) {
    try {
      return Endpoint.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
