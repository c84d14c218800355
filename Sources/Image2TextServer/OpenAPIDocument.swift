import Foundation
import Image2Text

/// The server's OpenAPI 3.1 document, served at `GET /openapi.json`: the template below with a property for each
/// ``GenerationOption`` added to `GenerationFields`. `OpenAPIDocumentTests` checks that its paths are the routes the
/// server has and that its field lists are the fields ``InferenceRequest`` reads.
enum OpenAPIDocument {
    static let json: String = {
        var document = try! JSONSerialization.jsonObject(with: Data(template.utf8)) as! [String: Any]
        var components = document["components"] as! [String: Any]
        var schemas = components["schemas"] as! [String: Any]
        var fields = schemas["GenerationFields"] as! [String: Any]
        var properties = fields["properties"] as! [String: Any]
        for option in GenerationOption.all { properties[option.frontEndName] = schema(of: option) }
        fields["properties"] = properties
        schemas["GenerationFields"] = fields
        components["schemas"] = schemas
        document["components"] = components
        let data = try! JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }()

    /// The JSON schema of a generation option's field, with the bounds the server reads it with.
    private static func schema(of option: GenerationOption) -> [String: Any] {
        var schema: [String: Any] = ["description": option.summary]
        switch option.kind {
        case .integer(let optionRange):
            let range = InferenceRequest.range(of: option.frontEndName) ?? optionRange
            schema.merge(["type": "integer", "minimum": range.lowerBound, "maximum": range.upperBound]) { $1 }
        case .seed:
            schema.merge(["type": "integer", "minimum": 0, "maximum": UInt64.max]) { $1 }
        case .number(let range):
            schema["type"] = "number"
            schema["description"] = "\(option.summary) It \(range.expectation)."
            switch range {
            case .positiveFloat32:
                schema.merge(["minimum": Double(Float.leastNormalMagnitude), "maximum": Double(Float.greatestFiniteMagnitude)]) { $1 }
            case .probability: schema.merge(["exclusiveMinimum": 0, "maximum": 1]) { $1 }
            case .exponent: break
            }
        case .flag:
            schema["type"] = "boolean"
        case .choice(let words):
            let others = words.filter { !["true", "false"].contains($0) }
            schema["oneOf"] = (others.count < words.count ? [["type": "boolean"]] : []) + [["enum": others]]
        case .tokenLists:
            schema.merge(["type": "array", "items": ["type": "string"]]) { $1 }
        }
        return schema
    }

    private static let template = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "Image2Text",
        "version": "1.0.0",
        "description": "Captions, answers and classification by generation with a GIT model (transformers' GitForCausalLM). Each /v1 endpoint takes an image (or, for a video checkpoint, a video) as multipart/form-data (field image or video), as base64 in a JSON object, or as the raw body (Content-Type image/* or video/*) with the other fields in the query string."
      },
      "paths": {
        "/v1/caption": {
          "post": {
            "summary": "Caption an image or video",
            "operationId": "caption",
            "requestBody": { "$ref": "#/components/requestBodies/Generation" },
            "responses": {
              "200": { "description": "The caption", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/GenerationResponse" } } } },
              "4XX": { "$ref": "#/components/responses/Error" }, "5XX": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/v1/answer": {
          "post": {
            "summary": "Answer a question about an image or video",
            "operationId": "answer",
            "requestBody": { "$ref": "#/components/requestBodies/Answer" },
            "responses": {
              "200": { "description": "The answer", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/GenerationResponse" } } } },
              "4XX": { "$ref": "#/components/responses/Error" }, "5XX": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/v1/classify": {
          "post": {
            "summary": "Rank labels by how likely the model is to generate each",
            "operationId": "classify",
            "requestBody": { "$ref": "#/components/requestBodies/Classification" },
            "responses": {
              "200": { "description": "The ranking", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ClassificationResponse" } } } },
              "4XX": { "$ref": "#/components/responses/Error" }, "5XX": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/health": {
          "get": {
            "summary": "Liveness and load",
            "operationId": "health",
            "responses": { "200": { "description": "The server runs", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Health" } } } } }
          }
        },
        "/metrics": {
          "get": {
            "summary": "Prometheus metrics",
            "operationId": "metrics",
            "responses": { "200": { "description": "Prometheus text format 0.0.4", "content": { "text/plain": { "schema": { "type": "string" } } } } }
          }
        },
        "/openapi.json": {
          "get": {
            "summary": "This document",
            "operationId": "openapi",
            "responses": { "200": { "description": "OpenAPI 3.1", "content": { "application/json": { "schema": { "type": "object" } } } } }
          }
        }
      },
      "components": {
        "requestBodies": {
          "Generation": {
            "required": true,
            "description": "Give exactly one of image, video and image_url; /v1/caption takes no question.",
            "content": {
              "multipart/form-data": { "schema": { "$ref": "#/components/schemas/GenerationFields" } },
              "application/json": { "schema": { "$ref": "#/components/schemas/GenerationFields" } },
              "image/*": { "schema": { "type": "string", "format": "binary" } },
              "video/*": { "schema": { "type": "string", "format": "binary" } }
            }
          },
          "Answer": {
            "required": true,
            "description": "Give exactly one of image, video and image_url, and question.",
            "content": {
              "multipart/form-data": { "schema": { "$ref": "#/components/schemas/AnswerFields" } },
              "application/json": { "schema": { "$ref": "#/components/schemas/AnswerFields" } },
              "image/*": { "schema": { "type": "string", "format": "binary" } },
              "video/*": { "schema": { "type": "string", "format": "binary" } }
            }
          },
          "Classification": {
            "required": true,
            "description": "Give exactly one of image, video and image_url, and labels.",
            "content": {
              "multipart/form-data": { "schema": { "$ref": "#/components/schemas/ClassificationFields" } },
              "application/json": { "schema": { "$ref": "#/components/schemas/ClassificationFields" } },
              "image/*": { "schema": { "type": "string", "format": "binary" } },
              "video/*": { "schema": { "type": "string", "format": "binary" } }
            }
          }
        },
        "responses": {
          "Error": { "description": "The request got no result: 400 a bad field or malformed body, 403 a URL host not allowed, 404 no such path, 405 another method (Allow), 408 the upload timed out, 413 too large a body or image, 415 another Content-Type, 422 an unreadable image or video, 429 too many requests (Retry-After), 503 shutting down or timed out (Retry-After)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
        },
        "schemas": {
          "GenerationFields": {
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "image": { "type": "string", "description": "The image: a file part, or base64 in JSON, bare or as a data: URI (data:image/png;base64,...)" },
              "video": { "type": "string", "description": "A video, for a video checkpoint: a file part, or base64 in JSON, bare or as a data: URI" },
              "image_url": { "type": "string", "format": "uri", "description": "A base64 data: URI (data:image/png;base64,...), read as image is; any other URL is fetched only by a server started with --allow-url-host, from those hosts" },
              "question": { "type": "string" },
              "frames": { "type": "integer", "minimum": 1, "maximum": 9223372036854775807, "description": "Video frames to sample (default: the checkpoint's); at most its frame count" },
              "exif_orientation": { "type": "boolean", "description": "Apply the EXIF orientation (transformers ignores it); 1 and 0 are read as true and false" }
            }
          },
          "AnswerFields": {
            "allOf": [ { "$ref": "#/components/schemas/GenerationFields" } ],
            "required": ["question"]
          },
          "ClassificationFields": {
            "type": "object",
            "additionalProperties": false,
            "required": ["labels"],
            "properties": {
              "image": { "type": "string", "description": "The image: a file part, or base64 in JSON, bare or as a data: URI (data:image/png;base64,...)" },
              "video": { "type": "string", "description": "A video, for a video checkpoint: a file part, or base64 in JSON, bare or as a data: URI" },
              "image_url": { "type": "string", "format": "uri", "description": "A base64 data: URI (data:image/png;base64,...), read as image is; any other URL is fetched only by a server started with --allow-url-host, from those hosts" },
              "question": { "type": "string" },
              "frames": { "type": "integer", "minimum": 1, "maximum": 9223372036854775807 },
              "exif_orientation": { "type": "boolean" },
              "labels": { "type": ["array", "string"], "items": { "type": "string" }, "minItems": 1, "maxItems": 1000, "description": "A JSON array, or a repeated multipart or query field, one label each; or one string of comma-separated labels, each trimmed of spaces, as the CLI's --labels reads it" }
            }
          },
          "Sequence": {
            "type": "object",
            "required": ["text", "ids", "score", "finish_reason"],
            "properties": {
              "text": { "type": "string", "description": "The decoded sequence, prompt included" },
              "ids": { "type": "array", "items": { "type": "integer" } },
              "answer": { "type": "string", "description": "/v1/answer: the generated part only" },
              "score": { "type": ["number", "null"] },
              "finish_reason": { "enum": ["eos", "length"] }
            }
          },
          "Timings": {
            "type": "object",
            "required": ["queue_seconds", "encode_seconds", "generate_seconds", "batch_size"],
            "properties": {
              "queue_seconds": { "type": "number" },
              "encode_seconds": { "type": "number" },
              "generate_seconds": { "type": "number" },
              "batch_size": { "type": "integer" }
            }
          },
          "GenerationResponse": {
            "allOf": [ { "$ref": "#/components/schemas/Sequence" } ],
            "type": "object",
            "required": ["input", "prompt_ids", "timings"],
            "properties": {
              "input": { "type": "string", "description": "The field the media came in (image or video), or the image_url" },
              "prompt_ids": { "type": "array", "items": { "type": "integer" } },
              "sequences": { "type": "array", "items": { "$ref": "#/components/schemas/Sequence" }, "description": "Every returned sequence, best first, when num_return_sequences > 1" },
              "warnings": { "type": "array", "items": { "type": "string" }, "description": "Generation options that have no effect as given, each 'option: why' (a temperature without do_sample, a minimum length past the maximum), as transformers warns; absent when there are none" },
              "timings": { "$ref": "#/components/schemas/Timings" }
            }
          },
          "ClassificationResponse": {
            "type": "object",
            "required": ["input", "label", "ranking", "timings"],
            "properties": {
              "input": { "type": "string", "description": "The field the media came in (image or video), or the image_url" },
              "label": { "type": "string" },
              "ranking": {
                "type": "array",
                "items": {
                  "type": "object",
                  "required": ["label", "log_probability", "probability"],
                  "properties": { "label": { "type": "string" }, "log_probability": { "type": "number" }, "probability": { "type": "number" } }
                }
              },
              "timings": { "$ref": "#/components/schemas/Timings" }
            }
          },
          "Health": {
            "type": "object",
            "required": ["status", "model", "queue_depth", "in_flight"],
            "properties": {
              "status": { "const": "ok" },
              "model": { "type": "string" },
              "queue_depth": { "type": "integer" },
              "in_flight": { "type": "integer" }
            }
          },
          "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
              "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                  "code": { "type": "string", "examples": ["invalid_field", "not_found", "method_not_allowed", "body_too_large", "too_many_pixels", "unreadable_image", "too_many_requests", "timeout"] },
                  "message": { "type": "string" }
                }
              }
            }
          }
        }
      }
    }
    """#
}
