import Foundation
import Image2TextHub
import Testing

/// Environment variables and repository ids, as huggingface_hub reads them.
@Suite struct HubEnvironmentTests {
    @Test("The cache root is HF_HUB_CACHE, else HF_HOME/hub, else XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub")
    func cacheRootPrecedence() {
        let all = ["HF_HUB_CACHE": "/a/hub-cache", "HF_HOME": "/b/hf-home", "XDG_CACHE_HOME": "/c/xdg", "HOME": "/d/home"]
        #expect(HubEnvironment(environment: all).cacheRoot.path == "/a/hub-cache")
        #expect(HubEnvironment(environment: all.filter { $0.key != "HF_HUB_CACHE" }).cacheRoot.path == "/b/hf-home/hub")
        #expect(HubEnvironment(environment: ["XDG_CACHE_HOME": "/c/xdg", "HOME": "/d/home"]).cacheRoot.path == "/c/xdg/huggingface/hub")
        #expect(HubEnvironment(environment: ["HOME": "/d/home"]).cacheRoot.path == "/d/home/.cache/huggingface/hub")
    }

    @Test("HF_ENDPOINT, HF_TOKEN and HF_HUB_OFFLINE")
    func endpointTokenOffline() {
        let defaults = HubEnvironment(environment: ["HOME": "/d"])
        #expect(defaults.endpoint.absoluteString == "https://huggingface.co")
        #expect(defaults.token == nil)
        #expect(!defaults.offline)
        #expect(defaults.metadataTimeout == 10)
        #expect(HubEnvironment(environment: ["HF_HUB_ETAG_TIMEOUT": "3"]).metadataTimeout == 3)
        let set = HubEnvironment(environment: ["HF_ENDPOINT": "http://127.0.0.1:8080", "HF_TOKEN": "hf_x", "HF_HUB_OFFLINE": "1"])
        #expect(set.endpoint.absoluteString == "http://127.0.0.1:8080")
        #expect(set.token == "hf_x")
        #expect(set.offline)
        #expect(!HubEnvironment(environment: ["HF_HUB_OFFLINE": "0", "HF_TOKEN": ""]).offline)
        #expect(HubEnvironment(environment: ["HF_TOKEN": ""]).token == nil)
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
