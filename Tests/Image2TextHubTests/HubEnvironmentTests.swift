import Foundation
import Image2TextTestSupport
import Image2TextHub
import Testing

/// Environment variables and repository ids, as huggingface_hub reads them.
@Suite struct HubEnvironmentTests {
    @Test("The cache root is HF_HUB_CACHE, else HF_HOME/hub, else XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub")
    func cacheRootPrecedence() throws {
        let all = ["HF_HUB_CACHE": "/a/hub-cache", "HF_HOME": "/b/hf-home", "XDG_CACHE_HOME": "/c/xdg", "HOME": "/d/home"]
        #expect(try HubEnvironment(environment: all).cacheRoot.path == "/a/hub-cache")
        #expect(try HubEnvironment(environment: all.filter { $0.key != "HF_HUB_CACHE" }).cacheRoot.path == "/b/hf-home/hub")
        #expect(try HubEnvironment(environment: ["XDG_CACHE_HOME": "/c/xdg", "HOME": "/d/home"]).cacheRoot.path == "/c/xdg/huggingface/hub")
        #expect(try HubEnvironment(environment: ["HOME": "/d/home"]).cacheRoot.path == "/d/home/.cache/huggingface/hub")
    }

    @Test("HF_ENDPOINT, HF_TOKEN and HF_HUB_OFFLINE")
    func endpointTokenOffline() throws {
        let defaults = try HubEnvironment(environment: ["HOME": "/d"])
        #expect(defaults.endpoint.absoluteString == "https://huggingface.co")
        #expect(defaults.token == nil)
        #expect(!defaults.offline)
        let set = try HubEnvironment(environment: ["HF_ENDPOINT": "http://127.0.0.1:8080", "HF_TOKEN": "hf_x", "HF_HUB_OFFLINE": "1"])
        #expect(set.endpoint.absoluteString == "http://127.0.0.1:8080")
        #expect(set.token == "hf_x")
        #expect(set.offline)
        #expect(try !HubEnvironment(environment: ["HF_HUB_OFFLINE": "0", "HF_TOKEN": ""]).offline)
        #expect(try HubEnvironment(environment: ["HF_TOKEN": "", "HOME": "/d"]).token == nil)
    }

    @Test("The token: HF_TOKEN, else HUGGING_FACE_HUB_TOKEN, else the file HF_TOKEN_PATH, else HF_HOME/token, cleaned as huggingface_hub cleans it")
    func tokenFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hub-token-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let home = folder.appendingPathComponent("hf-home"), other = folder.appendingPathComponent("elsewhere/my-token")
        for directory in [home, other.deletingLastPathComponent()] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        try Data("  hf_from_home\r\n".utf8).write(to: home.appendingPathComponent("token"))
        try Data("hf_from_path\n".utf8).write(to: other)
        func token(_ environment: [String: String]) throws -> String? {
            try HubEnvironment(environment: environment.merging(["HOME": folder.path]) { $1 }).token
        }
        #expect(try token(["HF_HOME": home.path]) == "hf_from_home")
        #expect(try token(["HF_HOME": home.path, "HF_TOKEN_PATH": other.path]) == "hf_from_path")
        #expect(try token(["HF_HOME": home.path, "HUGGING_FACE_HUB_TOKEN": "hf_legacy"]) == "hf_legacy")
        #expect(try token(["HF_HOME": home.path, "HF_TOKEN": "hf_env", "HUGGING_FACE_HUB_TOKEN": "hf_legacy"]) == "hf_env")
        // An empty HF_TOKEN, or one of white space only, is no token: the file is read.
        #expect(try token(["HF_HOME": home.path, "HF_TOKEN": ""]) == "hf_from_home")
        #expect(try token(["HF_HOME": home.path, "HF_TOKEN": " \n"]) == "hf_from_home")
        // No file, or an empty one, is no token.
        #expect(try token(["HF_HOME": folder.appendingPathComponent("absent").path]) == nil)
        try Data(" \n".utf8).write(to: other)
        #expect(try token(["HF_TOKEN_PATH": other.path]) == nil)
        // HF_HOME defaults to ~/.cache/huggingface, and ~ in HF_TOKEN_PATH is the home folder.
        let cacheHome = folder.appendingPathComponent(".cache/huggingface")
        try FileManager.default.createDirectory(at: cacheHome, withIntermediateDirectories: true)
        try Data("hf_default_home".utf8).write(to: cacheHome.appendingPathComponent("token"))
        #expect(try token([:]) == "hf_default_home")
        #expect(try token(["HF_TOKEN_PATH": "~/.cache/huggingface/token"]) == "hf_default_home")
        #expect { try token(["HF_TOKEN_PATH": folder.path]) } throws: { error in
            guard case .unreadableTokenFile(let path, _) = error as? HubError else { return false }
            return path.path == folder.path
        }
    }

    @Test("HF_HUB_ETAG_TIMEOUT and HF_HUB_DOWNLOAD_TIMEOUT: seconds, 10 when unset or 0; anything else is an error naming the variable")
    func timeouts() throws {
        let defaults = try HubEnvironment(environment: ["HOME": "/d"])
        #expect(defaults.metadataTimeout == 10 && defaults.downloadTimeout == 10)
        let set = try HubEnvironment(environment: ["HOME": "/d", "HF_HUB_ETAG_TIMEOUT": "2", "HF_HUB_DOWNLOAD_TIMEOUT": "0.5"])
        #expect(set.metadataTimeout == 2 && set.downloadTimeout == 0.5)
        #expect(try HubEnvironment(environment: ["HOME": "/d", "HF_HUB_DOWNLOAD_TIMEOUT": "0"]).downloadTimeout == 10)
        for (variable, value) in [("HF_HUB_DOWNLOAD_TIMEOUT", "ten"), ("HF_HUB_ETAG_TIMEOUT", "-1"), ("HF_HUB_ETAG_TIMEOUT", "5s")] {
            #expect(throws: HubError.invalidSetting(variable: variable, value: value, expected: "a number of seconds")) {
                try HubEnvironment(environment: ["HOME": "/d", variable: value])
            }
        }
        #expect("\(HubError.invalidSetting(variable: "HF_HUB_DOWNLOAD_TIMEOUT", value: "ten", expected: "a number of seconds"))"
            == "HF_HUB_DOWNLOAD_TIMEOUT='ten': expected a number of seconds")
    }

    @Test("Repository ids: ORG/NAME with the hub's characters; local paths are not ids")
    func repositoryIDs() {
        #expect(HubRepositoryID("microsoft/git-base-coco")?.cacheFolderName == "models--microsoft--git-base-coco")
        #expect(HubRepositoryID("org_1/model.v2")?.description == "org_1/model.v2")
        for invalid in ["git-base", "./models/x", "/abs/path", "a/b/c", "a--b/c", "a/..", "a/-b", "", "a/", "ä/b"] {
            #expect(HubRepositoryID(invalid) == nil, "\(invalid)")
        }
    }
}
