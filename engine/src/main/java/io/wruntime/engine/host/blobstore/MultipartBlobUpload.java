package io.wruntime.engine.host.blobstore;

import io.wruntime.engine.host.blobstore.Blob.Failure;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * A body of unknown size: buffered up to {@link #PART_SIZE} (5 MiB, S3's smallest part); a body
 * that ends within it is stored with one {@code PutObject}, a longer one as a multipart upload of 5
 * MiB parts, so the engine holds at most one part of it; the buffer counts against the request's
 * {@link OpenObjects#MAX_BUFFERED}. Aborted, a started multipart upload is aborted and nothing is
 * stored.
 */
final class MultipartBlobUpload implements Upload {
  static final int PART_SIZE = 5 * 1024 * 1024;
  private static final Logger LOG = LoggerFactory.getLogger(MultipartBlobUpload.class);

  private final S3Client client;
  private final String bucket;
  private final String storedKey;
  private final String contentType;
  private final String what;
  private final OpenObjects owner;
  private final List<CompletedPart> parts = new ArrayList<>();
  private byte[] buffer = new byte[0];
  private int buffered;
  private String uploadId;

  MultipartBlobUpload(
      S3Client client,
      String bucket,
      String storedKey,
      String contentType,
      String what,
      OpenObjects owner) {
    this.client = client;
    this.bucket = bucket;
    this.storedKey = storedKey;
    this.contentType = contentType;
    this.what = what;
    this.owner = owner;
  }

  @Override
  public void write(byte[] chunk) throws Failure {
    int at = 0;
    while (at < chunk.length) {
      if (buffered == buffer.length && buffer.length < PART_SIZE) {
        int grown = Math.min(PART_SIZE, Math.max(64 * 1024, buffer.length * 2));
        owner.buffer(grown - buffer.length, what);
        buffer = Arrays.copyOf(buffer, grown);
      }
      int n = Math.min(chunk.length - at, buffer.length - buffered);
      System.arraycopy(chunk, at, buffer, buffered, n);
      buffered += n;
      at += n;
      if (buffered == PART_SIZE) {
        uploadPart();
      }
    }
  }

  private void uploadPart() throws Failure {
    try {
      if (uploadId == null) {
        uploadId =
            client
                .createMultipartUpload(
                    b -> b.bucket(bucket).key(storedKey).contentType(contentType))
                .uploadId();
      }
      int number = parts.size() + 1;
      String etag =
          client
              .uploadPart(
                  b ->
                      b.bucket(bucket)
                          .key(storedKey)
                          .uploadId(uploadId)
                          .partNumber(number)
                          .contentLength((long) buffered),
                  buffered())
              .eTag();
      parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
      buffered = 0;
    } catch (SdkException e) {
      throw BlobErrors.of(what, e);
    }
  }

  @Override
  public void finish() throws Failure {
    try {
      if (uploadId == null) {
        client.putObject(b -> b.bucket(bucket).key(storedKey).contentType(contentType), buffered());
        return;
      }
      if (buffered > 0) {
        uploadPart();
      }
      client.completeMultipartUpload(
          b ->
              b.bucket(bucket)
                  .key(storedKey)
                  .uploadId(uploadId)
                  .multipartUpload(m -> m.parts(parts)));
      uploadId = null;
    } catch (SdkException e) {
      throw BlobErrors.of(what, e);
    } finally {
      releaseBuffer();
    }
  }

  /** The buffered bytes as a request body, read from the buffer itself rather than a copy. */
  private RequestBody buffered() {
    byte[] bytes = buffer;
    int length = buffered;
    return RequestBody.fromContentProvider(
        () -> new ByteArrayInputStream(bytes, 0, length),
        length,
        contentType == null ? "application/octet-stream" : contentType);
  }

  private void releaseBuffer() {
    owner.release(buffer.length);
    buffer = new byte[0];
    buffered = 0;
  }

  @Override
  public void abort() {
    releaseBuffer();
    if (uploadId == null) {
      return;
    }
    String id = uploadId;
    uploadId = null;
    try {
      client.abortMultipartUpload(b -> b.bucket(bucket).key(storedKey).uploadId(id));
    } catch (SdkException e) {
      LOG.debug("aborting the multipart upload of {} failed: {}", what, e.toString());
    }
  }
}
