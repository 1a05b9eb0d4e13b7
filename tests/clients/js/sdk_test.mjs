// The AWS SDK for JavaScript v3 against a running garage. Recent versions of the SDK send a
// CRC32 checksum with every upload, in an aws-chunked trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER):
// this is the client that exercises that path.
//
//   node sdk_test.mjs ENDPOINT ACCESS_KEY SECRET_KEY REGION
import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command,
  DeleteObjectCommand, CreateMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand,
  DeleteBucketCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { crc32 as zlibCrc32 } from "node:zlib";

const [endpoint, accessKeyId, secretAccessKey, region] = process.argv.slice(2);
const s3 = new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
let failures = 0;
function check(name, cond) {
  console.log((cond ? "ok   " : "FAIL ") + name);
  if (!cond) failures++;
}
async function body(out) { return Buffer.from(await out.Body.transformToByteArray()); }
const md5 = (b) => createHash("md5").update(b).digest("hex");

const bucket = "js-sdk";
await s3.send(new CreateBucketCommand({ Bucket: bucket }));
check("CreateBucket", true);

// The SDK's default: a CRC32 checksum in a trailer.
const small = Buffer.from("hello from the JavaScript SDK");
let seenHeaders = {};
s3.middlewareStack.add((next) => async (args) => {
  if (args.request && args.request.headers) seenHeaders = { ...args.request.headers };
  return next(args);
}, { step: "finalizeRequest", name: "recordHeaders", priority: "low" });
await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "small.txt", Body: small }));
const putHeaders = seenHeaders;
check("PutObject (string body)", (await body(await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "small.txt" })))).equals(small));
console.log("     (PutObject sent x-amz-content-sha256: " + putHeaders["x-amz-content-sha256"] + ", x-amz-trailer: " +
            putHeaders["x-amz-trailer"] + ")");
check("the SDK's default upload carried a CRC32 checksum", putHeaders["x-amz-checksum-crc32"] !== undefined ||
      putHeaders["x-amz-trailer"] === "x-amz-checksum-crc32");

// A stream body: the SDK sends it aws-chunked with the checksum in a trailer.
const streamed = randomBytes(2 * 1024 * 1024 + 3);
await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "streamed.bin", ContentLength: streamed.length,
  Body: Readable.from([streamed.subarray(0, 1000000), streamed.subarray(1000000)]) }));
const streamHeaders = seenHeaders;
console.log("     (stream PutObject sent x-amz-content-sha256: " + streamHeaders["x-amz-content-sha256"] +
            ", content-encoding: " + streamHeaders["content-encoding"] + ", x-amz-trailer: " + streamHeaders["x-amz-trailer"] + ")");
check("stream upload used an aws-chunked trailer", streamHeaders["x-amz-trailer"] === "x-amz-checksum-crc32");
check("stream upload reads back", (await body(await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "streamed.bin" })))).equals(streamed));

const big = randomBytes(3 * 1024 * 1024 + 7);
const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "big.bin", Body: big, ChecksumAlgorithm: "CRC32" }));
check("PutObject 3 MiB with a CRC32 trailer", put.ETag === `"${md5(big)}"`);
check("GetObject returns it", (await body(await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "big.bin" })))).equals(big));
const put2 = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "c32c.bin", Body: big, ChecksumAlgorithm: "CRC32C" }));
check("PutObject with CRC32C", put2.ETag === `"${md5(big)}"`);
const put3 = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "sha256.bin", Body: small, ChecksumAlgorithm: "SHA256" }));
check("PutObject with SHA256", put3.ETag === `"${md5(small)}"`);

// The checksums come back (issue 13 point 8): PutObject's answer, and GET/HEAD with ChecksumMode
// ENABLED, which the SDK then checks against the bytes it reads.
const crc32 = (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "big.bin", ChecksumMode: "ENABLED" }))).ChecksumCRC32;
check("PutObject answers its CRC32, HeadObject gives it back", put.ChecksumCRC32 !== undefined && crc32 === put.ChecksumCRC32);
const checked = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "big.bin", ChecksumMode: "ENABLED" }));
check("GetObject with ChecksumMode: the CRC32, and the bytes pass the SDK's check",
  checked.ChecksumCRC32 === put.ChecksumCRC32 && (await body(checked)).equals(big));
const sha = (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "sha256.bin", ChecksumMode: "ENABLED" })));
check("GetObject of the SHA256 upload: its SHA256", sha.ChecksumSHA256 === createHash("sha256").update(small).digest("base64")
  && (await body(sha)).equals(small));

const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "big.bin" }));
check("HeadObject", head.ContentLength === big.length);
const ranged = await body(await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "big.bin", Range: "bytes=1048575-1048580" })));
check("ranged GetObject", ranged.equals(big.subarray(1048575, 1048581)));

// Multipart through the SDK (each part with its checksum trailer)
const p1 = randomBytes(5 * 1024 * 1024), p2 = randomBytes(1234);
const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "mpu.bin" }));
const e1 = (await s3.send(new UploadPartCommand({ Bucket: bucket, Key: "mpu.bin", UploadId, PartNumber: 1, Body: p1 }))).ETag;
const e2 = (await s3.send(new UploadPartCommand({ Bucket: bucket, Key: "mpu.bin", UploadId, PartNumber: 2, Body: p2 }))).ETag;
await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "mpu.bin", UploadId,
  MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1 }, { PartNumber: 2, ETag: e2 }] } }));
check("multipart upload", (await body(await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "mpu.bin" })))).equals(Buffer.concat([p1, p2])));

// FULL_OBJECT multipart checksums (issue 13 point 8): the parts' CRC32s, combined by the store,
// are the whole object's CRC32, which the client computes itself and sends with Complete.
const crc32b64 = (b) => { const v = Buffer.alloc(4); v.writeUInt32BE(zlibCrc32(b) >>> 0); return v.toString("base64"); };
async function fullObjectUpload(key, parts, claimed) {
  const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: "CRC32",
    ChecksumType: "FULL_OBJECT" }));
  const listed = [];
  for (let i = 0; i < parts.length; i++) {
    const u = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: up.UploadId, PartNumber: i + 1,
      Body: parts[i], ChecksumAlgorithm: "CRC32" }));
    listed.push({ PartNumber: i + 1, ETag: u.ETag, ChecksumCRC32: u.ChecksumCRC32 });
  }
  try {
    return await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: up.UploadId,
      ChecksumType: "FULL_OBJECT", ChecksumCRC32: claimed, MultipartUpload: { Parts: listed } }));
  } catch (e) {
    return { error: e.name };
  }
}
const f1 = randomBytes(5 * 1024 * 1024), f2 = randomBytes(1234567), whole = crc32b64(Buffer.concat([f1, f2]));
const full = await fullObjectUpload("full.bin", [f1, f2], whole);
check("FULL_OBJECT CRC32 multipart: Complete answers the whole object's CRC32",
  full.ChecksumCRC32 === whole && full.ChecksumType === "FULL_OBJECT");
const fullHead = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "full.bin", ChecksumMode: "ENABLED" }));
check("... HeadObject with ChecksumMode gives it back", fullHead.ChecksumCRC32 === whole && fullHead.ChecksumType === "FULL_OBJECT");
const wrong = await fullObjectUpload("full-wrong.bin", [f2], crc32b64(f1));
check("... a Complete claiming another CRC32 is refused (BadDigest), nothing stored", wrong.error === "BadDigest" &&
  (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "full-wrong.bin" })).catch((e) => e.name)) === "NotFound");

const list = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
check("ListObjectsV2", list.KeyCount === 7);

const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: "small.txt" }), { expiresIn: 60 });
const fetched = Buffer.from(await (await fetch(url)).arrayBuffer());
check("presigned GET (s3-request-presigner)", fetched.equals(small));

for (const key of ["small.txt", "big.bin", "c32c.bin", "sha256.bin", "mpu.bin", "streamed.bin", "full.bin"]) {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}
await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
check("DeleteObject x5, DeleteBucket", true);
console.log(`js: ${failures} failed`);
process.exit(failures ? 1 : 0);
