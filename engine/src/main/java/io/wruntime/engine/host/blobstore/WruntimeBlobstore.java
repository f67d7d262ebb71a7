package io.wruntime.engine.host.blobstore;

import static java.util.Objects.requireNonNull;

import com.dylibso.chicory.wasm.types.ValType;
import io.wruntime.engine.config.ModuleCapabilities;
import io.wruntime.engine.host.abi.AbiViolation;
import io.wruntime.engine.host.abi.GuestMemory;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.host.blobstore.Blob.ErrorKind;
import io.wruntime.engine.host.blobstore.Blob.Failure;
import io.wruntime.engine.host.blobstore.Blob.Meta;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code wruntime:blobstore/store@0.1.x} (wit/blobstore/store.wit), lowered onto core modules by
 * the Canonical ABI. Every key is stored under the module's namespace ({@code {namespace}/{key}});
 * only the buckets of the module's grant can be named.
 *
 * <p>Layouts (wasm32): {@code error} is 12 bytes, align 4 (u8 case at 0, its string at 4). {@code
 * object-meta} is 48 bytes, align 8: key string at 0, size u64 at 8, last-modified u64 at 16,
 * content-type option&lt;string&gt; at 24 (u8 case, string at 28), etag at 36 (u8 case, string at
 * 40). {@code list-page} is 20 bytes: the object-meta list at 0, continuation option&lt;string&gt;
 * at 8.
 *
 * <p>Return areas: {@code put}, {@code get} (a handle at 4), {@code delete}, {@code
 * outgoing-object.write} and {@code incoming-object.read} (a list&lt;u8&gt; at 4) use 16 bytes,
 * align 4: u8 case at 0, ok payload or the error at 4. {@code list}: 24 bytes, the page or the
 * error at 4. {@code head} and {@code outgoing-object.finish}: 56 bytes, align 8, the meta or the
 * error at 8. {@code incoming-object.meta}: the 48-byte meta.
 */
public final class WruntimeBlobstore {
  public static final String IFACE = "wruntime:blobstore/store";

  /** The largest chunk {@code write} takes and {@code read} returns. */
  static final int MAX_CHUNK = 1024 * 1024;

  private static final int META_SIZE = 48;
  private static final long[] NONE = null;
  private static final ValType I32 = ValType.I32;

  private WruntimeBlobstore() {}

  /** Every function of the interface, reaching the stores through {@code stores}. */
  public static List<HostFunctionDef> functions(BlobStores stores) {
    requireNonNull(stores, "stores");
    return List.of(
        def(
            "put",
            List.of(I32, I32, I32, I32, I32, I32, I32, I32, ValType.I64, I32),
            (ctx, a) -> put(ctx, stores, a)),
        def("get", List.of(I32, I32, I32, I32, I32), (ctx, a) -> get(ctx, stores, a)),
        def("delete", List.of(I32, I32, I32, I32, I32), (ctx, a) -> delete(ctx, stores, a)),
        def(
            "list",
            List.of(I32, I32, I32, I32, I32, I32, I32, I32, I32),
            (ctx, a) -> list(ctx, stores, a)),
        def("head", List.of(I32, I32, I32, I32, I32), (ctx, a) -> head(ctx, stores, a)),
        def("[method]outgoing-object.write", List.of(I32, I32, I32, I32), WruntimeBlobstore::write),
        def(
            "[method]outgoing-object.finish",
            List.of(I32, I32),
            (ctx, a) -> finish(ctx, stores, a)),
        def("[method]incoming-object.meta", List.of(I32, I32), WruntimeBlobstore::meta),
        def("[method]incoming-object.read", List.of(I32, I32, I32), WruntimeBlobstore::read),
        def(
            "[resource-drop]outgoing-object",
            List.of(I32),
            (ctx, a) -> drop(ctx, a[0], OutgoingObjectResource.class, OutgoingObjectResource.WIT)),
        def(
            "[resource-drop]incoming-object",
            List.of(I32),
            (ctx, a) -> drop(ctx, a[0], IncomingObjectResource.class, IncomingObjectResource.WIT)));
  }

  private static HostFunctionDef def(String name, List<ValType> params, HostFunctionDef.Impl impl) {
    return new HostFunctionDef(IFACE, name, params, List.of(), impl);
  }

  private static <T extends WitResource> long[] drop(
      InstanceContext ctx, long handle, Class<T> type, String wit) {
    ctx.resources().remove(handle, type, wit).close();
    return NONE;
  }

  // ---- the functions ----

  private static long[] put(InstanceContext ctx, BlobStores stores, long[] a) {
    GuestMemory m = ctx.memory();
    long ret = a[9];
    m.checkAligned("return area", ret, 4, 16);
    String bucket = m.readString("bucket", a[0], a[1]);
    String key = m.readString("key", a[2], a[3]);
    String contentType = optionString(m, "content-type", a[4], a[5], a[6]);
    Long size = GuestMemory.option("size", a[7]) ? a[8] : null;
    OutgoingObjectResource resource;
    try {
      ModuleCapabilities.Blobstore grant = grant(ctx, bucket);
      String stored = BlobKeys.stored(ctx.module().namespace(), key);
      String what = "put \"" + key + "\" in \"" + bucket + "\"";
      if (contentType != null && hasControl(contentType)) {
        throw new Failure(
            ErrorKind.IO,
            what + ": the content type contains control characters (expected: e.g. text/plain)");
      }
      if (size != null && Long.compareUnsigned(size, grant.maxObjectSize()) > 0) {
        throw new Failure(
            ErrorKind.TOO_LARGE,
            what
                + ": the declared size of "
                + Long.toUnsignedString(size)
                + " bytes is above max_object_size = "
                + grant.maxObjectSize()
                + " bytes (expected: a smaller object; nothing was stored)");
      }
      OpenObjects open = reserve(ctx);
      S3Client client;
      try {
        client = stores.client(ctx.module(), grant);
      } catch (Failure f) {
        open.open--;
        throw f;
      }
      Upload upload =
          size != null
              ? new PipedUpload(client, bucket, stored, contentType, size, what, open)
              : new MultipartBlobUpload(client, bucket, stored, contentType, what, open);
      resource =
          new OutgoingObjectResource(
              bucket, stored, key, what, upload, size, grant.maxObjectSize(), open);
    } catch (Failure f) {
      writeError(m, ret, 4, f);
      return NONE;
    }
    add(ctx, m, ret, resource);
    return NONE;
  }

  private static long[] get(InstanceContext ctx, BlobStores stores, long[] a) {
    GuestMemory m = ctx.memory();
    long ret = a[4];
    m.checkAligned("return area", ret, 4, 16);
    String bucket = m.readString("bucket", a[0], a[1]);
    String key = m.readString("key", a[2], a[3]);
    IncomingObjectResource resource;
    try {
      ModuleCapabilities.Blobstore grant = grant(ctx, bucket);
      String stored = BlobKeys.stored(ctx.module().namespace(), key);
      String what = "get \"" + key + "\" of \"" + bucket + "\"";
      OpenObjects open = reserve(ctx);
      ResponseInputStream<GetObjectResponse> body;
      try {
        body = stores.client(ctx.module(), grant).getObject(b -> b.bucket(bucket).key(stored));
      } catch (SdkException e) {
        open.open--;
        throw BlobErrors.of(what, e);
      } catch (Failure f) {
        open.open--;
        throw f;
      }
      GetObjectResponse r = body.response();
      Meta meta =
          new Meta(
              key,
              r.contentLength() == null ? 0 : r.contentLength(),
              millis(r.lastModified()),
              r.contentType(),
              etag(r.eTag()));
      resource = new IncomingObjectResource(body, meta, what, open);
    } catch (Failure f) {
      writeError(m, ret, 4, f);
      return NONE;
    }
    add(ctx, m, ret, resource);
    return NONE;
  }

  private static long[] delete(InstanceContext ctx, BlobStores stores, long[] a) {
    GuestMemory m = ctx.memory();
    long ret = a[4];
    m.checkAligned("return area", ret, 4, 16);
    String bucket = m.readString("bucket", a[0], a[1]);
    String key = m.readString("key", a[2], a[3]);
    try {
      ModuleCapabilities.Blobstore grant = grant(ctx, bucket);
      String stored = BlobKeys.stored(ctx.module().namespace(), key);
      try {
        stores.client(ctx.module(), grant).deleteObject(b -> b.bucket(bucket).key(stored));
      } catch (SdkException e) {
        Failure f = BlobErrors.of("delete \"" + key + "\" of \"" + bucket + "\"", e);
        if (f.kind() != ErrorKind.NOT_FOUND) {
          throw f;
        }
      }
    } catch (Failure f) {
      writeError(m, ret, 4, f);
      return NONE;
    }
    m.writeU8("result", ret, 0);
    return NONE;
  }

  private static long[] head(InstanceContext ctx, BlobStores stores, long[] a) {
    GuestMemory m = ctx.memory();
    long ret = a[4];
    m.checkAligned("return area", ret, 8, 56);
    String bucket = m.readString("bucket", a[0], a[1]);
    String key = m.readString("key", a[2], a[3]);
    Meta meta;
    try {
      ModuleCapabilities.Blobstore grant = grant(ctx, bucket);
      String stored = BlobKeys.stored(ctx.module().namespace(), key);
      meta = head(stores.client(ctx.module(), grant), bucket, stored, key, "head");
    } catch (Failure f) {
      writeError(m, ret, 8, f);
      return NONE;
    }
    m.writeU8("result", ret, 0);
    writeMeta(m, ret + 8, meta);
    return NONE;
  }

  private static Meta head(S3Client client, String bucket, String stored, String key, String op)
      throws Failure {
    try {
      HeadObjectResponse r = client.headObject(b -> b.bucket(bucket).key(stored));
      return new Meta(
          key,
          r.contentLength() == null ? 0 : r.contentLength(),
          millis(r.lastModified()),
          r.contentType(),
          etag(r.eTag()));
    } catch (SdkException e) {
      throw BlobErrors.of(op + " \"" + key + "\" of \"" + bucket + "\"", e);
    }
  }

  private static long[] list(InstanceContext ctx, BlobStores stores, long[] a) {
    GuestMemory m = ctx.memory();
    long ret = a[8];
    m.checkAligned("return area", ret, 4, 24);
    String bucket = m.readString("bucket", a[0], a[1]);
    String prefix = m.readString("prefix", a[2], a[3]);
    String continuation = optionString(m, "continuation", a[4], a[5], a[6]);
    long maxKeys = a[7] & 0xFFFF_FFFFL;
    String namespace = ctx.module().namespace();
    List<Meta> objects = new ArrayList<>();
    String next = null;
    try {
      ModuleCapabilities.Blobstore grant = grant(ctx, bucket);
      String storedPrefix = BlobKeys.storedPrefix(namespace, prefix);
      String startAfter = null;
      if (continuation != null) {
        startAfter = namespace + "/" + decodeContinuation(continuation);
      }
      int limit =
          maxKeys == 0 || maxKeys > grant.maxListObjects() ? grant.maxListObjects() : (int) maxKeys;
      String after = startAfter;
      ListObjectsV2Response r;
      try {
        r =
            stores
                .client(ctx.module(), grant)
                .listObjectsV2(
                    b -> b.bucket(bucket).prefix(storedPrefix).startAfter(after).maxKeys(limit));
      } catch (SdkException e) {
        throw BlobErrors.of("list \"" + prefix + "\" of \"" + bucket + "\"", e);
      }
      String last = null;
      for (S3Object o : r.contents()) {
        if (!o.key().startsWith(storedPrefix)) {
          continue; // a store that ignored the prefix: never show another namespace's keys
        }
        String key = BlobKeys.unstored(namespace, o.key());
        objects.add(
            new Meta(
                key,
                o.size() == null ? 0 : o.size(),
                millis(o.lastModified()),
                null,
                etag(o.eTag())));
        last = key;
      }
      if (Boolean.TRUE.equals(r.isTruncated()) && last != null) {
        next = encodeContinuation(last);
      }
    } catch (Failure f) {
      writeError(m, ret, 4, f);
      return NONE;
    }
    int base = m.allocate(8, META_SIZE * objects.size());
    for (int i = 0; i < objects.size(); i++) {
      writeMeta(m, base + (long) i * META_SIZE, objects.get(i));
    }
    m.writeU8("result", ret, 0);
    m.writeI32("objects", ret + 4, base);
    m.writeI32("objects", ret + 8, objects.size());
    writeOptionString(m, "continuation", ret + 12, next);
    return NONE;
  }

  private static long[] write(InstanceContext ctx, long[] a) {
    OutgoingObjectResource resource =
        ctx.resources().get(a[0], OutgoingObjectResource.class, OutgoingObjectResource.WIT);
    GuestMemory m = ctx.memory();
    long ret = a[3];
    m.checkAligned("return area", ret, 4, 16);
    long len = a[2] & 0xFFFF_FFFFL;
    m.checkRange("chunk", a[1], len);
    try {
      if (len > MAX_CHUNK) {
        throw new Failure(
            ErrorKind.IO,
            resource.what
                + ": a chunk of "
                + len
                + " bytes (expected: at most "
                + MAX_CHUNK
                + " bytes per write)");
      }
      resource.write(m.readBytes("chunk", a[1], len));
    } catch (Failure f) {
      writeError(m, ret, 4, f);
      return NONE;
    }
    m.writeU8("result", ret, 0);
    return NONE;
  }

  private static long[] finish(InstanceContext ctx, BlobStores stores, long[] a) {
    OutgoingObjectResource resource =
        ctx.resources().get(a[0], OutgoingObjectResource.class, OutgoingObjectResource.WIT);
    GuestMemory m = ctx.memory();
    long ret = a[1];
    m.checkAligned("return area", ret, 8, 56);
    Meta meta;
    try {
      resource.finish();
      meta =
          head(
              stores.client(ctx.module(), grant(ctx, resource.bucket)),
              resource.bucket,
              resource.storedKey,
              resource.key,
              "finish");
    } catch (Failure f) {
      writeError(m, ret, 8, f);
      return NONE;
    }
    m.writeU8("result", ret, 0);
    writeMeta(m, ret + 8, meta);
    return NONE;
  }

  private static long[] meta(InstanceContext ctx, long[] a) {
    IncomingObjectResource resource =
        ctx.resources().get(a[0], IncomingObjectResource.class, IncomingObjectResource.WIT);
    GuestMemory m = ctx.memory();
    m.checkAligned("return area", a[1], 8, META_SIZE);
    writeMeta(m, a[1], resource.meta());
    return NONE;
  }

  private static long[] read(InstanceContext ctx, long[] a) {
    IncomingObjectResource resource =
        ctx.resources().get(a[0], IncomingObjectResource.class, IncomingObjectResource.WIT);
    GuestMemory m = ctx.memory();
    long ret = a[2];
    m.checkAligned("return area", ret, 4, 16);
    long max = a[1] & 0xFFFF_FFFFL;
    if (max == 0) {
      throw new AbiViolation("max-bytes: 0 (expected: 1 to " + MAX_CHUNK + ")");
    }
    byte[] chunk;
    try {
      chunk = resource.read((int) Math.min(max, MAX_CHUNK));
    } catch (Failure f) {
      writeError(m, ret, 4, f);
      return NONE;
    }
    m.writeU8("result", ret, 0);
    m.writeList("chunk", ret + 4, chunk);
    return NONE;
  }

  // ---- helpers ----

  /** The module's grant, which must name {@code bucket}. */
  private static ModuleCapabilities.Blobstore grant(InstanceContext ctx, String bucket)
      throws Failure {
    ModuleCapabilities.Blobstore grant = ctx.module().grants().blobstore();
    if (grant == null) {
      throw new Failure(
          ErrorKind.ACCESS_DENIED,
          "the module has no blob store (expected: a [module.capabilities.blobstore] grant)");
    }
    if (!grant.buckets().contains(bucket)) {
      throw new Failure(
          ErrorKind.ACCESS_DENIED,
          "bucket \""
              + bucket
              + "\" is not granted to this module (expected: one of "
              + grant.buckets()
              + ", the buckets of [module.capabilities.blobstore])");
    }
    return grant;
  }

  /** Takes a slot of the request's cap on open objects, or fails with {@code io}. */
  private static OpenObjects reserve(InstanceContext ctx) throws Failure {
    OpenObjects open = ctx.state(OpenObjects.class, OpenObjects::new);
    int max = ctx.module().grants().maxBlobObjects();
    if (open.open >= max) {
      throw new Failure(
          ErrorKind.IO,
          "this request already has "
              + open.open
              + " blob objects open (expected: at most [limits] blob_objects = "
              + max
              + " per request; drop an object to open another)");
    }
    open.open++;
    return open;
  }

  private static void add(InstanceContext ctx, GuestMemory m, long ret, WitResource resource) {
    int handle = ctx.resources().add(resource);
    m.writeU8("result", ret, 0);
    m.writeI32("handle", ret + 4, handle);
  }

  private static void writeError(GuestMemory m, long ret, int payload, Failure f) {
    m.writeU8("result", ret, 1);
    m.writeU8("error", ret + payload, f.kind().ordinal());
    m.writeString("error", ret + payload + 4, f.getMessage());
  }

  private static void writeMeta(GuestMemory m, long at, Meta meta) {
    m.checkAligned("object-meta", at, 8, META_SIZE);
    m.writeString("key", at, meta.key());
    m.writeI64("size", at + 8, meta.size());
    m.writeI64("last-modified", at + 16, meta.lastModified());
    writeOptionString(m, "content-type", at + 24, meta.contentType());
    writeOptionString(m, "etag", at + 36, meta.etag());
  }

  private static void writeOptionString(GuestMemory m, String what, long at, String value) {
    if (value == null) {
      m.writeU8(what, at, 0);
      m.writeI32(what, at + 4, 0);
      m.writeI32(what, at + 8, 0);
    } else {
      m.writeU8(what, at, 1);
      m.writeString(what, at + 4, value);
    }
  }

  private static long millis(Instant instant) {
    return instant == null ? 0 : instant.toEpochMilli();
  }

  /** An ETag without the quotes S3 puts around it. */
  private static String etag(String etag) {
    if (etag == null) {
      return null;
    }
    if (etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")) {
      return etag.substring(1, etag.length() - 1);
    }
    return etag;
  }

  /** A continuation: the module's last listed key, so it can only point inside its namespace. */
  static String encodeContinuation(String lastKey) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(lastKey.getBytes(StandardCharsets.UTF_8));
  }

  static String decodeContinuation(String token) throws Failure {
    try {
      String key =
          StandardCharsets.UTF_8
              .newDecoder()
              .decode(java.nio.ByteBuffer.wrap(Base64.getUrlDecoder().decode(token)))
              .toString();
      if (hasControl(key)) {
        throw new IllegalArgumentException("control characters");
      }
      return key;
    } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException e) {
      throw new Failure(
          ErrorKind.ACCESS_DENIED,
          "continuation \""
              + (token.length() > 100 ? token.substring(0, 100) + "..." : token)
              + "\" is not one that list returned (expected: the continuation of a previous page)");
    }
  }

  private static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return true;
      }
    }
    return false;
  }

  private static String optionString(GuestMemory m, String what, long flag, long ptr, long len) {
    return GuestMemory.option(what, flag) ? m.readString(what, ptr, len) : null;
  }
}
