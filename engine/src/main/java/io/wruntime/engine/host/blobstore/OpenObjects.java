package io.wruntime.engine.host.blobstore;

/** The blob objects a request has open, against its cap ({@code [limits] blob_objects}). */
final class OpenObjects {
  int open;
}
