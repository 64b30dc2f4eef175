// An object other than the one that made the handles it is given: each of
// its uses of them is refused with an error, which it returns as text.
string refused(string err) {
  return err ? replace_string(err, "\n", "") : "allowed";
}

string use_grpc(int handle) {
  return refused(catch(grpc_send(handle, ([ ])))) + "|" + refused(catch(grpc_close_send(handle)));
}

string use_mqtt(int handle) {
  return implode(map(({ catch(mqtt_publish(handle, "mud/stolen", "x", 0, 0)),
                        catch(mqtt_subscribe(handle, "mud/#", 0)),
                        catch(mqtt_unsubscribe(handle, "mud/#")),
                        catch(mqtt_disconnect(handle)) }), (: refused :)), "|");
}

string use_websocket(int handle) {
  return refused(catch(websocket_send(handle, "stolen"))) + "|" +
         refused(catch(websocket_close(handle)));
}

string use_request(int id) {
  return refused(catch(http_respond(id, ([ "status": 200, "body": "stolen" ]))));
}

// A request handler of this object that /web serves with: its requests
// belong here, so /web may not answer them and this object answers later.
mixed handle_later(mapping req) {
  string taken = refused(catch(load_object("/web")->respond_for(req["id"])));
  write_file("/log.txt", "other takes " + taken + "\n");
  call_out((: http_respond, req["id"], ([ "status": 200, "body": "from other" ]) :), 0);
  return 0;
}

function handler() {
  return (: handle_later :);
}
