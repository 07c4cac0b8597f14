import { testCatalogTemplate } from "./template";

testCatalogTemplate("private-web-service");
