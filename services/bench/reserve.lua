-- wrk script: POST /v1/reservations with a fresh request id per request (KEY_ID from the environment).
local key = os.getenv("KEY_ID")
local counter = 0
local thread_tag = tostring(math.random(1, 1e9))

request = function()
	counter = counter + 1
	local body = string.format('{"request_id":"req_bench_%s_%d","key_id":"%s","amount_micros":100}', thread_tag, counter, key)
	return wrk.format("POST", "/v1/reservations", { ["Content-Type"] = "application/json" }, body)
end
