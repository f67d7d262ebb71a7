package io.wruntime.engine.host.blobstore;

import io.wruntime.engine.host.blobstore.Blob.ErrorKind;
import io.wruntime.engine.host.blobstore.Blob.Failure;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * How the store's failures reach the module: {@code not-found}, {@code access-denied} or {@code
 * io}.
 */
final class BlobErrors {
  private BlobErrors() {}

  /** The error of {@code e}, for the operation {@code what} (e.g. {@code get "a.txt" of "b"}). */
  static Failure of(String what, SdkException e) {
    if (e instanceof NoSuchKeyException) {
      return new Failure(ErrorKind.NOT_FOUND, what + ": no such object");
    }
    if (e instanceof NoSuchBucketException) {
      return new Failure(ErrorKind.IO, what + ": the store has no such bucket");
    }
    if (e instanceof AwsServiceException s) {
      int status = s.statusCode();
      String code =
          s.awsErrorDetails() == null || s.awsErrorDetails().errorCode() == null
              ? ""
              : " " + s.awsErrorDetails().errorCode();
      if (status == 404) {
        return new Failure(ErrorKind.NOT_FOUND, what + ": no such object");
      }
      if (status == 403) {
        return new Failure(
            ErrorKind.ACCESS_DENIED, what + ": the store refused access (status 403" + code + ")");
      }
      return new Failure(ErrorKind.IO, what + ": the store answered status " + status + code);
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new Failure(ErrorKind.IO, what + ": the store cannot be reached (" + message + ")");
  }
}
