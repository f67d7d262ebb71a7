package io.wruntime.engine.config;

import io.wruntime.engine.config.ModuleCapabilities.Blobstore;
import io.wruntime.engine.config.ModuleCapabilities.Keys;
import java.net.URI;
import java.nio.file.Path;

/**
 * The engine's {@code [blobstore]}: the S3 settings every {@code [module.capabilities.blobstore]}
 * starts from. Its text form hides the secret access key.
 *
 * @param endpoint the S3 endpoint URL, or null for AWS S3
 * @param region the signing region
 * @param credentialsDir a directory holding {@code accessKeyId} and {@code secretAccessKey}, or
 *     null
 * @param keys the access key given as {@code access_key_id} and {@code secret_access_key}, or null
 * @param maxObjectSize the largest object a module may store, in bytes
 * @param maxListObjects the most objects one {@code list} call returns
 * @param pathStyle whether buckets are addressed in the path; null for the default (true with an
 *     endpoint)
 */
record BlobstoreDefaults(
    URI endpoint,
    String region,
    Path credentialsDir,
    Keys keys,
    long maxObjectSize,
    int maxListObjects,
    Boolean pathStyle) {
  /** No {@code [blobstore]}: AWS S3 in us-east-1, no credentials, the default caps. */
  static final BlobstoreDefaults NONE =
      new BlobstoreDefaults(
          null,
          Blobstore.DEFAULT_REGION,
          null,
          null,
          Blobstore.DEFAULT_MAX_OBJECT_SIZE,
          Blobstore.DEFAULT_MAX_LIST_OBJECTS,
          null);
}
