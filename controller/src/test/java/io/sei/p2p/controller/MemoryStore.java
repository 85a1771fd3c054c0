package io.sei.p2p.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** An owner's objects in memory, each write recorded: what a reconcile step does, without an apiserver. */
final class MemoryStore implements ObjectStore {

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private final HasMetadata owner;
  private final Map<String, HasMetadata> objects = new HashMap<>();
  private final Map<Class<?>, RuntimeException> refusals = new HashMap<>();
  final List<String> writes = new ArrayList<>();

  /** The objects {@code owner} controls, stamped with its controller reference as {@link Owned} does. */
  MemoryStore(HasMetadata owner) {
    this.owner = owner;
  }

  /** An object someone else made, or one this store's owner made before: there from the start. */
  MemoryStore with(HasMetadata object) {
    objects.put(key(object.getClass(), object.getMetadata().getName()), copy(object));
    return this;
  }

  /** Every write of {@code type} fails with {@code refusal}, as a webhook or the apiserver may refuse it. */
  MemoryStore refusing(Class<?> type, RuntimeException refusal) {
    refusals.put(type, refusal);
    return this;
  }

  @Override
  public <R extends HasMetadata> R get(Class<R> type, String name) {
    HasMetadata object = objects.get(key(type, name));
    return object == null ? null : type.cast(copy(object));
  }

  @Override
  @SuppressWarnings("unchecked")
  public <R extends HasMetadata> R ensure(R desired) {
    String key = key(desired.getClass(), desired.getMetadata().getName());
    HasMetadata existing = objects.get(key);
    if (existing != null && Apply.covers(existing, desired)) {
      return (R) copy(existing);
    }
    if (refusals.containsKey(desired.getClass())) {
      throw refusals.get(desired.getClass());
    }
    writes.add((existing == null ? "create " : "update ") + desired.getKind() + " " + desired.getMetadata().getName());
    R stored = copy(Apply.ownedBy(copy(desired), owner));
    if (existing != null && existing.getMetadata().getUid() != null) {
      stored.getMetadata().setUid(existing.getMetadata().getUid());
    }
    objects.put(key, stored);
    return copy(stored);
  }

  @Override
  public void delete(HasMetadata object) {
    writes.add("delete " + object.getKind() + " " + object.getMetadata().getName());
    objects.remove(key(object.getClass(), object.getMetadata().getName()));
  }

  /** Changes a stored object as another actor would (the load balancer controller, the kubelet). */
  <R extends HasMetadata> void change(Class<R> type, String name, Consumer<R> change) {
    R object = get(type, name);
    change.accept(object);
    objects.put(key(type, name), object);
  }

  private static String key(Class<?> type, String name) {
    return type.getSimpleName() + "/" + name;
  }

  @SuppressWarnings("unchecked")
  private static <R extends HasMetadata> R copy(R object) {
    return (R) JSON.unmarshal(JSON.asJson(object), object.getClass());
  }
}
