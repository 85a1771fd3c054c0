package io.sei.p2p.rules;

/** The admission operations this project's rules distinguish. */
public enum AdmissionOperation {
  CREATE,
  UPDATE
}
