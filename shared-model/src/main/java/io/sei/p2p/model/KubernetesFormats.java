package io.sei.p2p.model;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Says in the CRD schema what Kubernetes' own schemas say and fabric8's generator does not: the OpenAPI format of
 * every integer ({@code int32} for an Integer, {@code int64} for a Long), and the pattern of every resource quantity,
 * which is what the apiserver checks a quantity against. Used only while the CRDs are generated: the generator
 * hands it the schema of the kind it annotates and, as input, that kind's class name.
 */
public final class KubernetesFormats implements SchemaCustomizer.Customizer {

  /** Kubernetes' own pattern for a {@code resource.Quantity}, as in its published schemas. */
  public static final String QUANTITY_PATTERN = "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]"
      + "|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";
  /**
   * The name of an object most kinds take (Secrets, claims): a DNS-1123 subdomain, dots allowed, as apimachinery's
   * {@code IsDNS1123Subdomain} checks it; at most {@link #OBJECT_NAME_MAX} characters.
   */
  public static final String OBJECT_NAME_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
  public static final int OBJECT_NAME_MAX = 253;
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public JSONSchemaProps apply(JSONSchemaProps schema, String kindClass, KubernetesSerialization serialization) {
    try {
      complete(schema, JSON.constructType(Class.forName(kindClass)));
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("no model class " + kindClass, e);
    }
    return schema;
  }

  private static void complete(JSONSchemaProps schema, JavaType type) {
    if (schema == null) {
      return;
    }
    Class<?> raw = type.getRawClass();
    if (raw == Integer.class || raw == int.class) {
      schema.setFormat("int32");
    } else if (raw == Long.class || raw == long.class) {
      schema.setFormat("int64");
    } else if (raw == Quantity.class) {
      schema.setPattern(QUANTITY_PATTERN);
    } else if (type.isMapLikeType()) {
      complete(schema.getAdditionalProperties() == null ? null : schema.getAdditionalProperties().getSchema(),
          type.getContentType());
    } else if (type.isContainerType()) {
      complete(schema.getItems() == null ? null : schema.getItems().getSchema(), type.getContentType());
    } else if (raw.getPackageName().equals(KubernetesFormats.class.getPackageName())) {
      Map<String, JSONSchemaProps> properties = schema.getProperties();
      for (BeanPropertyDefinition property : JSON.getSerializationConfig().introspect(type).findProperties()) {
        complete(properties.get(property.getName()), schemaType(property));
      }
    }
  }

  /** The type the generator made the property's schema from: its own, or the one {@link SchemaFrom} names. */
  private static JavaType schemaType(BeanPropertyDefinition property) {
    return Stream.of(property.getField(), property.getGetter(), property.getConstructorParameter())
        .filter(member -> member != null && member.hasAnnotation(SchemaFrom.class))
        .map(member -> JSON.constructType(member.getAnnotation(SchemaFrom.class).type()))
        .findFirst()
        .orElseGet(property::getPrimaryType);
  }
}
