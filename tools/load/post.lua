-- wrk script: POSTs the JSON body in $IMAGE2TEXT_LOAD_BODY to the URL wrk is given.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local file = assert(io.open(os.getenv("IMAGE2TEXT_LOAD_BODY"), "rb"))
wrk.body = file:read("*a")
file:close()

-- Every non-200 answer counts as an error in wrk's summary ("Non-2xx or 3xx responses").
